/**
 * Sends the planned requests to the local API one at a time, SigV4-signed like
 * a real client, each with its own `X-Amzn-Trace-Id` (the gateway hands it to
 * the function, whose SDK calls carry it to the recorder), and keeps what the
 * cost figures need from each: the answer, the request id that names its REPORT
 * line, and the handler's log lines printed meanwhile.
 */
import * as http from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FunctionLogs } from './lambda-logs';
import type { PlannedRequest } from './traffic';
import type { Runtime } from '../../local/runtime';

export interface SentRequest {
  readonly planned: PlannedRequest;
  /** The `Root=` of the trace id it was sent with. */
  readonly trace: string;
  /** API Gateway's request id (a REST API's `x-amzn-RequestId`, an HTTP API's `apigw-requestid`), locally also the invocation's. */
  readonly requestId: string;
  readonly status: number;
  readonly responseBytes: number;
  readonly response: any;
  readonly sentAtMs: number;
  /** Header names and values as sent, and the body: what a function logging "the whole request" would log. */
  readonly rawHeaders: readonly string[];
  readonly bodyText: string;
  readonly handlerLines: readonly string[];
}

const USER_AGENT = 'scanner-fleet/2.3 aws-sdk-js/3';

function encodeQuery(query: Readonly<Record<string, string>>): string {
  return Object.entries(query).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

/** A trace id root that names the request: `1-<8 hex epoch seconds>-<24 hex>`. */
function traceRootOf(index: number, epochMs: number): string {
  return `1-${Math.floor(epochMs / 1000).toString(16).padStart(8, '0')}-${index.toString(16).padStart(24, '0')}`;
}

/** Lets the runtime's pipes deliver what a function printed before its answer. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2));
}

export async function drive(
  stack: Pick<Runtime, 'host' | 'port' | 'stage' | 'region' | 'credentials'>,
  plan: readonly PlannedRequest[],
  logs: FunctionLogs,
  progress?: (done: number) => void,
): Promise<SentRequest[]> {
  const signer = new SignatureV4({ service: 'execute-api', region: stack.region, credentials: stack.credentials, sha256: Hash.bind(null, 'sha256') });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sent: SentRequest[] = [];
  try {
    for (const [index, planned] of plan.entries()) {
      const sentAtMs = Date.now();
      const trace = traceRootOf(index + 1, sentAtMs);
      const fullPath = `/${stack.stage}${planned.path}`;
      const bodyText = planned.body === undefined ? '' : JSON.stringify(planned.body);
      const headers: Record<string, string> = {
        'host': `${stack.host}:${stack.port}`,
        'user-agent': USER_AGENT,
        'x-amzn-trace-id': `Root=${trace}`,
        ...(bodyText ? { 'content-type': 'application/json' } : {}),
      };
      const signed = await signer.sign({
        method: planned.method,
        protocol: 'http:',
        hostname: stack.host,
        port: stack.port,
        path: fullPath,
        query: { ...planned.query },
        headers,
        body: bodyText || undefined,
      });
      const signedHeaders = { ...(signed.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(bodyText)) };
      logs.begin();
      const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
        const request = http.request({
          host: stack.host,
          port: stack.port,
          method: planned.method,
          path: `${fullPath}${planned.query ? `?${encodeQuery(planned.query)}` : ''}`,
          headers: signedHeaders,
          agent,
        }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        });
        request.on('error', reject);
        request.end(bodyText);
      });
      await settle();
      let response: unknown;
      try {
        response = JSON.parse(answer.text);
      } catch {
        response = undefined;
      }
      sent.push({
        planned,
        trace,
        requestId: String(answer.headers['x-amzn-requestid'] ?? answer.headers['apigw-requestid'] ?? ''),
        status: answer.status,
        responseBytes: Buffer.byteLength(answer.text),
        response,
        sentAtMs,
        rawHeaders: Object.entries(signedHeaders).flat(),
        bodyText,
        handlerLines: logs.end(),
      });
      progress?.(index + 1);
    }
  } finally {
    agent.destroy();
  }
  return sent;
}
