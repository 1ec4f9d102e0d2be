import './env';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiEvent, bodyOf, lambdaContext, statusEvent, trackEvent } from './events';
import { NOW, validUpdate } from './fixtures';
import { ssmReturns } from './ssm';
import { logger, metrics } from '../../lambda/shared/observability';
import { handler } from '../../lambda/tracking';
import { ROUTES as CONTRACT_ROUTES } from '../../src/contract/routes';

const ddb = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);
let addMetric: jest.SpyInstance;

/** An AWS SDK service error as the SDK builds it. */
const serviceError = (name: string, message: string, httpStatusCode: number) =>
  Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode, attempts: 3 } });

/** A network failure: Node's error, with the metadata the SDK's retry middleware adds (no HTTP status). */
const networkError = (code: string) =>
  Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code, $metadata: { attempts: 3, totalRetryDelay: 120 } });

beforeEach(() => {
  ddb.reset();
  ssm.reset();
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ssmReturns(ssm, { config: {}, flags: {} });
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  addMetric = jest.spyOn(metrics, 'addMetric');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('routing', () => {
  test('answers 404 to an unknown path', async () => {
    const result = await handler(apiEvent({ method: 'GET', resource: '/nowhere' }), lambdaContext);

    expect(result.statusCode).toBe(404);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodyOf(result)).toEqual({ error: 'not found' });
  });

  test.each([
    ['GET', '/track', 'POST'],
    ['DELETE', '/track', 'POST'],
    ['POST', '/status', 'GET'],
    ['GET', '/track/batch', 'POST'],
    ['PUT', '/track/batch', 'POST'],
    ['POST', '/shipments', 'GET'],
  ])('answers %s %s with 405 and Allow: %s', async (method, resource, allow) => {
    const result = await handler(apiEvent({ method, resource }), lambdaContext);

    expect(result.statusCode).toBe(405);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json', 'Allow': allow });
    expect(bodyOf(result)).toEqual({ error: 'method not allowed' });
  });

  test.each(Object.entries(CONTRACT_ROUTES))('implements the contract route %s', async (_name, { method, path }) => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await handler(apiEvent({ method, resource: path }), lambdaContext);

    // Whatever the answer (400 for a missing query or body, 404 for a disabled feature), it comes from the route.
    expect(result.statusCode).not.toBe(405);
    expect(bodyOf(result)).not.toEqual({ error: 'not found' });
  });

  test('routes on the path when the event has no resource', async () => {
    const event = trackEvent(validUpdate());
    event.resource = '';
    const result = await handler(event, lambdaContext);

    expect(result.statusCode).toBe(200);
  });

  test('routes on the resource, not the concrete path', async () => {
    const event = apiEvent({ method: 'GET', resource: '/status', path: '/status/', query: { tracking_id: 'PKG-1' } });
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await handler(event, lambdaContext);

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({ error: 'shipment not found' });
  });

  test("uses the request id as the logs' correlation id", async () => {
    await handler(apiEvent({ method: 'GET', resource: '/nowhere' }), lambdaContext);

    expect(logger.getCorrelationId()).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
  });
});

describe('DynamoDB unavailable: 503 with Retry-After', () => {
  test.each<[string, Error]>([
    ['a throttled write (ProvisionedThroughputExceededException)', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400)],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 'Throughput exceeds the account limit', 400)],
    ['InternalServerError', serviceError('InternalServerError', 'Internal server error', 500)],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 'Service unavailable', 503)],
    ['a request timeout (TimeoutError)', Object.assign(new Error('Request timed out'), { name: 'TimeoutError', $metadata: { attempts: 3 } })],
    ['ECONNREFUSED', networkError('ECONNREFUSED')],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['ETIMEDOUT', networkError('ETIMEDOUT')],
    ['EPIPE', networkError('EPIPE')],
    ['ENOTFOUND', networkError('ENOTFOUND')],
    ['an SDK error without an HTTP response', Object.assign(new Error('socket hang up'), { $metadata: { attempts: 3 } })],
    ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].map((code): [string, Error] => [
      `a bare Node ${code} (no SDK metadata)`, Object.assign(new Error(`read ${code}`), { code }),
    ]),
  ])('maps %s on POST /track to 503', async (_case, error) => {
    ddb.on(PutCommand).rejects(error);
    const result = await handler(trackEvent(validUpdate()), lambdaContext);

    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json', 'Retry-After': '1' });
    // With the event_id to resend: the write may have happened.
    expect(bodyOf(result)).toEqual({ error: 'service temporarily unavailable, retry later', tracking_id: 'PKG-1', event_id: 'scan-0001' });
    expect(addMetric.mock.calls.map((call) => call[0])).toEqual(['DependencyUnavailable']);
  });

  test('maps a throttled state update to 503 (the client retries and repairs the state)', async () => {
    ddb.on(UpdateCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const result = await handler(trackEvent(validUpdate()), lambdaContext);

    expect(result.statusCode).toBe(503);
  });

  test('maps a throttled read on GET /status to 503', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded', 400));
    const result = await handler(statusEvent({ tracking_id: 'PKG-1' }), lambdaContext);

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
  });
});

describe('unexpected errors: 500 without internals', () => {
  test('answers 500 internal error without the message or a stack trace', async () => {
    ddb.on(PutCommand).rejects(serviceError('ValidationException', 'One or more parameter values were invalid: secret-table-detail', 400));
    const log = jest.spyOn(logger, 'error');
    const result = await handler(trackEvent(validUpdate()), lambdaContext);

    expect(result.statusCode).toBe(500);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(result.body)).toEqual({ error: 'internal error' });
    expect(log).toHaveBeenCalledWith('unexpected error', { cause: expect.objectContaining({ name: 'ValidationException' }) });
  });

  test('answers 500 to a programming error (TypeError)', async () => {
    ddb.on(GetCommand).callsFake(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'Item')");
    });
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await handler(statusEvent({ tracking_id: 'PKG-1' }), lambdaContext);

    expect(result.statusCode).toBe(500);
    expect(result.body).toBe('{"error":"internal error"}');
  });
});

describe('SSM is never a reason to fail a request', () => {
  test('accepts POST /track with the built-in defaults when SSM is unreachable, counting ConfigFallback', async () => {
    ssm.on(GetParametersCommand).rejects(networkError('ECONNREFUSED'));
    // Enhanced fields are accepted: the built-in default has enhanced_tracking on.
    const result = await handler(trackEvent(validUpdate({ sub_status: 'at hub' })), lambdaContext);

    expect(result.statusCode).toBe(200);
    expect(addMetric.mock.calls.map((call) => call[0])).toEqual(['ConfigFallback', 'TrackingUpdateAccepted']);
  });

  test('GET /status does not ask SSM at all', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    await handler(statusEvent({ tracking_id: 'PKG-1' }), lambdaContext);

    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('metrics', () => {
  test('publishes the stored metrics at the end of an invocation that failed', async () => {
    ddb.on(PutCommand).rejects(networkError('ECONNRESET'));
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    await handler(trackEvent(validUpdate()), lambdaContext);

    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  test('publishes nothing (and logs no empty-metrics warning) when nothing was counted', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    await handler(statusEvent({ tracking_id: 'PKG-1' }), lambdaContext);

    expect(publish).not.toHaveBeenCalled();
  });
});
