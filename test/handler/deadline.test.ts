import './env';
import * as net from 'net';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { bodyOf, lambdaContext, statusEvent, trackEvent } from './events';
import { validUpdate } from './fixtures';

/**
 * A slow table must still get the contract's 503 + Retry-After, not a function
 * timeout (which API Gateway answers with a bare 502). The handler's real
 * DynamoDB client talks to a server that accepts connections and never answers:
 * on its own the SDK would wait 3 s per attempt, 3 attempts; the invocation's
 * deadline cuts every call short RESPONSE_RESERVE_MS before the time runs out.
 */

let server: net.Server;
const sockets = new Set<net.Socket>();
let handler: (event: any, context: Context) => Promise<APIGatewayProxyResult>;

beforeAll(async () => {
  server = net.createServer((socket) => {
    // Accept, read, never answer.
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // Read by the SDK clients when the handler's modules load, below.
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ({ handler } = require('../../lambda/tracking'));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  delete process.env.AWS_ENDPOINT_URL;
});

const withRemaining = (remainingMs: number): Context => {
  const end = Date.now() + remainingMs;
  return { ...lambdaContext, getRemainingTimeInMillis: () => end - Date.now() };
};

describe('the invocation deadline bounds every DynamoDB call', () => {
  test('GET /status against a table that never answers gets 503 with Retry-After before the function would time out', async () => {
    const remainingMs = 1_500;
    const started = Date.now();
    const result = await handler(statusEvent({ tracking_id: 'PKG-1' }), withRemaining(remainingMs));
    const tookMs = Date.now() - started;

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
    // The SDK's first attempt alone would take 3 s; the deadline is 1 s in.
    expect(tookMs).toBeLessThan(remainingMs);
  });

  test('POST /track against a table that never answers gets 503 carrying the event_id to resend', async () => {
    const remainingMs = 1_500;
    const started = Date.now();
    const result = await handler(trackEvent(validUpdate()), withRemaining(remainingMs));

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ event_id: 'scan-0001' });
    // The config read waits out its own short SSM timeouts first (2 × 1 s, then the
    // defaults); the DynamoDB put alone would otherwise wait 3 attempts × 3 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
