import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ReceivedRequest, SigV4Verifier } from '../../../local/gateway/sigv4';

/**
 * SigV4 verification against requests signed by the AWS SDK's own signer (the
 * client side every SDK uses), the way they arrive on the wire.
 */

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const LOCAL = { accessKeyId: 'local', secretAccessKey: 'local' };
const verifier = new SigV4Verifier({ region: 'us-east-1', service: 'execute-api', credentials: [LOCAL], now: () => NOW });

interface ClientRequest {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

/** Signs like a client would, and returns the request as the server receives it. */
interface SigningOptions {
  credentials?: typeof LOCAL;
  region?: string;
  service?: string;
  at?: number;
}

async function signed(request: ClientRequest = {}, options: SigningOptions = {}): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? LOCAL,
    sha256: Hash.bind(null, 'sha256'),
  });
  const path = request.path ?? '/dev/track';
  const result = await signer.sign({
    method: request.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 3000,
    path,
    query: request.query ?? {},
    headers: { 'host': '127.0.0.1:3000', 'content-type': 'application/json', ...request.headers },
    body: request.body ?? '{"tracking_id":"A"}',
  }, { signingDate: new Date(options.at ?? NOW) });
  const rawQuery = Object.entries(request.query ?? {})
    .flatMap(([key, values]) => (Array.isArray(values) ? values : [values]).map((value) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`))
    .join('&');
  return {
    method: request.method ?? 'POST',
    // The SDK's HTTP handlers send request.path as it is: already URI-encoded.
    rawPath: path,
    rawQuery,
    rawHeaders: Object.entries(result.headers).flatMap(([name, value]) => [name, String(value)]),
    body: Buffer.from(request.body ?? '{"tracking_id":"A"}'),
  };
}

function withHeader(request: ReceivedRequest, name: string, value: string | undefined): ReceivedRequest {
  const rawHeaders: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() !== name) rawHeaders.push(request.rawHeaders[i], request.rawHeaders[i + 1]);
  }
  if (value !== undefined) rawHeaders.push(name, value);
  return { ...request, rawHeaders };
}

const MISMATCH = /^The request signature we calculated does not match the signature you provided/;

describe('accepts', () => {
  test('a request signed with the local credentials', async () => {
    expect(await verifier.verify(await signed())).toEqual({ ok: true, accessKeyId: 'local' });
  });

  test('a GET with repeated and escaped query parameters and an escaped path', async () => {
    const request = await signed({ method: 'GET', path: '/dev/items/a%20b%2Fc', query: { tracking_id: 'X/1 2', tag: ['b', 'a'] }, body: '' });
    expect(await verifier.verify(request)).toMatchObject({ ok: true });
  });

  test('a signature made 4 minutes ago (AWS allows 5)', async () => {
    expect(await verifier.verify(await signed({}, { at: NOW - 4 * 60_000 }))).toMatchObject({ ok: true });
  });
});

describe('refuses', () => {
  test('an unsigned request, as "missing" (API Gateway: Missing Authentication Token)', async () => {
    const request = withHeader(await signed(), 'authorization', undefined);
    expect(await verifier.verify(request)).toEqual({ ok: false, problem: 'missing', message: 'Missing Authentication Token' });
  });

  test('a body changed after signing', async () => {
    const request = await signed();
    const tampered = withHeader({ ...request, body: Buffer.from('{"tracking_id":"B"}') }, 'x-amz-content-sha256', undefined);
    expect(await verifier.verify(tampered)).toMatchObject({ ok: false, problem: 'invalid', message: expect.stringMatching(MISMATCH) });
  });

  test('a body that does not match its signed x-amz-content-sha256', async () => {
    const request = await signed();
    expect(await verifier.verify({ ...request, body: Buffer.from('{"tracking_id":"B"}') })).toMatchObject({ ok: false, message: expect.stringMatching(MISMATCH) });
  });

  test('a query parameter changed after signing', async () => {
    const request = await signed({ method: 'GET', query: { tracking_id: 'A' }, body: '' });
    expect(await verifier.verify({ ...request, rawQuery: 'tracking_id=B' })).toMatchObject({ ok: false, message: expect.stringMatching(MISMATCH) });
  });

  test('a signed header changed after signing', async () => {
    const request = withHeader(await signed(), 'content-type', 'text/plain');
    expect(await verifier.verify(request)).toMatchObject({ ok: false, message: expect.stringMatching(MISMATCH) });
  });

  test('the wrong secret key', async () => {
    const request = await signed({}, { credentials: { accessKeyId: 'local', secretAccessKey: 'wrong' } });
    expect(await verifier.verify(request)).toMatchObject({ ok: false, message: expect.stringMatching(MISMATCH) });
  });

  test('an unknown access key', async () => {
    const request = await signed({}, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local' } });
    expect(await verifier.verify(request)).toEqual({ ok: false, problem: 'invalid', message: 'The security token included in the request is invalid.' });
  });

  test('another region or service in the credential scope', async () => {
    expect(await verifier.verify(await signed({}, { region: 'eu-west-1' }))).toMatchObject({ ok: false, message: 'Credential should be scoped to a valid region. ' });
    expect(await verifier.verify(await signed({}, { service: 'lambda' }))).toMatchObject({ ok: false, message: "Credential should be scoped to correct service: 'execute-api'. " });
  });

  test('a signature older than 5 minutes', async () => {
    const result = await verifier.verify(await signed({}, { at: NOW - 6 * 60_000 }));
    expect(result).toMatchObject({ ok: false, message: 'Signature expired: 20261126T115400Z is now earlier than 20261126T115500Z (20261126T120000Z - 5 min.)' });
  });

  test('an Authorization header that is not SigV4', async () => {
    const request = withHeader(await signed(), 'authorization', 'Bearer abc');
    expect(await verifier.verify(request)).toMatchObject({ ok: false, problem: 'invalid', message: expect.stringMatching(/requires 'Credential' parameter/) });
  });

  test('a signature without X-Amz-Date', async () => {
    const request = withHeader(await signed(), 'x-amz-date', undefined);
    expect(await verifier.verify(request)).toMatchObject({ ok: false, message: expect.stringMatching(/requires existence of either a 'X-Amz-Date' or a 'Date' header/) });
  });
});
