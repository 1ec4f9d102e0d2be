import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalRequestInit, LocalRuntimeCredentials } from '../api';

/**
 * A request to the local API signed as API Gateway checks it (SigV4, service
 * execute-api), for consumers' tests: the same signer the AWS SDK uses, then
 * the platform's fetch.
 */
export async function signedFetch(
  baseUrl: string,
  region: string,
  credentials: LocalRuntimeCredentials,
  relativePath: string,
  init: LocalRequestInit = {},
): Promise<Response> {
  const url = new URL(relativePath.replace(/^\//, ''), baseUrl);
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { ...init.headers, host: url.host };
  let body: string | undefined;
  if (typeof init.body === 'string') {
    body = init.body;
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  });
  // fetch sets host itself, from the URL.
  const { host: _host, ...sent } = signed.headers as Record<string, string>;
  return fetch(url, { method, headers: sent, body });
}
