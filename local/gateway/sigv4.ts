import { createHash, timingSafeEqual } from 'crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * SigV4 verification for IAM-authorized methods, as API Gateway does it: the
 * received request is signed again with the same date, scope and signed headers
 * by the AWS SDK's own signer, and the two signatures are compared in constant
 * time. Nothing here computes a signature itself.
 */

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The request as it arrived on the wire. */
export interface ReceivedRequest {
  readonly method: string;
  /** The path exactly as sent (still percent-encoded), without the query string. */
  readonly rawPath: string;
  /** The query string exactly as sent, without `?`. */
  readonly rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value, ... in the client's casing. */
  readonly rawHeaders: readonly string[];
  readonly body: Uint8Array;
}

export type SignatureProblem =
  /** No Authorization header at all: API Gateway's MISSING_AUTHENTICATION_TOKEN. */
  | 'missing'
  /** Anything else that fails: INVALID_SIGNATURE. */
  | 'invalid';

export type VerifyResult =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly problem: SignatureProblem; readonly message: string };

export interface SigV4VerifierOptions {
  readonly region: string;
  readonly service: string;
  readonly credentials: readonly LocalCredentials[];
  /** How far X-Amz-Date may be from now: AWS allows 5 minutes either way. */
  readonly maxClockSkewMs?: number;
  /** For tests. */
  readonly now?: () => number;
}

const MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+(.*)$/s;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function fail(message: string, problem: SignatureProblem = 'invalid'): VerifyResult {
  return { ok: false, problem, message };
}

/** Header values by lower-case name; repeated headers joined with commas (SigV4's rule). */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? rawHeaders[i + 1] : `${previous},${rawHeaders[i + 1]}`);
  }
  return headers;
}

/** The query as the signer wants it: decoded keys and values, repeated keys as lists. */
function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decode(pair.slice(equals + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export class SigV4Verifier {
  private readonly secrets: Map<string, string>;
  private readonly maxSkewMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SigV4VerifierOptions) {
    this.secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.maxSkewMs = options.maxClockSkewMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  public async verify(request: ReceivedRequest): Promise<VerifyResult> {
    const headers = headerMap(request.rawHeaders);
    const authorization = headers.get('authorization');
    // Presigned URLs (X-Amz-Signature in the query) are not served locally: like an
    // unsigned request, they get the gateway's "Missing Authentication Token".
    if (authorization === undefined) return fail('Missing Authentication Token', 'missing');

    const parsed = this.parseAuthorization(authorization, headers.get('x-amz-date'));
    if ('message' in parsed) return fail(parsed.message);
    const { accessKeyId, date, scopeDate, region, service, signedHeaders, signature } = parsed;

    const secretAccessKey = this.secrets.get(accessKeyId);
    if (secretAccessKey === undefined || headers.has('x-amz-security-token')) {
      return fail('The security token included in the request is invalid.');
    }
    if (region !== this.options.region) return fail('Credential should be scoped to a valid region. ');
    if (service !== this.options.service) return fail(`Credential should be scoped to correct service: '${this.options.service}'. `);
    if (scopeDate !== formatAmzDate(date).slice(0, 8)) {
      return fail(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${formatAmzDate(date).slice(0, 8)}', from '${formatAmzDate(date)}'.`);
    }
    const now = this.now();
    if (date < now - this.maxSkewMs) {
      return fail(`Signature expired: ${formatAmzDate(date)} is now earlier than ${formatAmzDate(now - this.maxSkewMs)} (${formatAmzDate(now)} - 5 min.)`);
    }
    if (date > now + this.maxSkewMs) {
      return fail(`Signature not yet current: ${formatAmzDate(date)} is still later than ${formatAmzDate(now + this.maxSkewMs)} (${formatAmzDate(now)} + 5 min.)`);
    }

    // The signer trusts x-amz-content-sha256 as the payload hash; the body must match it.
    const declaredHash = headers.get('x-amz-content-sha256');
    if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
      return fail(MISMATCH);
    }

    const signedHeaderValues: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = headers.get(name);
      if (value === undefined) return fail(MISMATCH);
      signedHeaderValues[name] = value;
    }
    const signer = new SignatureV4({
      service,
      region,
      credentials: { accessKeyId, secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: true,
      // The client's own x-amz-content-sha256, if it signed one, is already among the headers.
      applyChecksum: false,
    });
    const signed = await signer.sign({
      method: request.method,
      protocol: 'http:',
      hostname: headers.get('host') ?? '',
      path: request.rawPath,
      query: parseQuery(request.rawQuery),
      headers: signedHeaderValues,
      body: request.body.length > 0 ? request.body : undefined,
    }, {
      signingDate: new Date(date),
      signableHeaders: new Set(signedHeaders),
    });
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
    const given = Buffer.from(signature, 'utf8');
    const computed = Buffer.from(expected, 'utf8');
    if (given.length !== computed.length || !timingSafeEqual(given, computed)) return fail(MISMATCH);
    return { ok: true, accessKeyId };
  }

  private parseAuthorization(authorization: string, amzDate: string | undefined):
  | { accessKeyId: string; date: number; scopeDate: string; region: string; service: string; signedHeaders: string[]; signature: string }
  | { message: string } {
    const body = AUTH_PATTERN.exec(authorization.trim());
    if (!body) {
      return { message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${authorization}` };
    }
    const fields = new Map<string, string>();
    for (const part of body[1].split(',')) {
      const equals = part.indexOf('=');
      if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
    }
    const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
    const dateMatch = amzDate === undefined ? null : AMZ_DATE_PATTERN.exec(amzDate);
    const problems = missing.map((name) => `Authorization header requires '${name}' parameter.`);
    // API Gateway also accepts a Date header; the signer this relies on always signs X-Amz-Date.
    if (!dateMatch) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    if (problems.length > 0) return { message: `${problems.join(' ')} Authorization=${authorization}` };

    const credential = fields.get('Credential')!.split('/');
    if (credential.length !== 5 || credential[4] !== 'aws4_request') {
      return { message: `Credential should be scoped to a valid region, service and 'aws4_request' terminator: Credential=${fields.get('Credential')}` };
    }
    const [, y, mo, d, h, mi, s] = dateMatch!;
    return {
      accessKeyId: credential[0],
      scopeDate: credential[1],
      region: credential[2],
      service: credential[3],
      date: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)),
      signedHeaders: fields.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()).filter(Boolean),
      signature: fields.get('Signature')!,
    };
  }
}
