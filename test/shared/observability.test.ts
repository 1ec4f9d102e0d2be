import type { Context } from 'aws-lambda';
import { logger, startInvocationLog } from '../../lambda/shared/observability';
import { lambdaContext } from '../handler/events';

/**
 * What each log line of an invocation carries besides its own fields: the request
 * id, the cold start, the correlation id — and not the function's ARN, name and
 * memory size, which the per-function log group says already (bytes billed at
 * ingestion, measured by `npx projen bench:cost`).
 */

/** The handler tests' Lambda context, with its own request id. */
const context = (requestId: string): Context => ({ ...lambdaContext, awsRequestId: requestId });

/** The JSON lines the logger writes while `run` runs (its own console writes to the process streams). */
function linesOf(run: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  // Powertools writes INFO to stdout, WARN and ERROR to stderr.
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    run();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return written.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
}

beforeAll(() => logger.setLogLevel('INFO'));

test('a line carries the request id, the cold start and the correlation id, not the function ARN, name or memory', () => {
  const [first, second] = [1, 2].map((n) => linesOf(() => {
    startInvocationLog(context(`request-${n}`), `api-request-${n}`);
    logger.info('tracking update recorded', { tracking_id: 'PKG-1' });
  })[0]);
  expect(first).toMatchObject({ function_request_id: 'request-1', cold_start: true, correlation_id: 'api-request-1', tracking_id: 'PKG-1' });
  expect(second).toMatchObject({ function_request_id: 'request-2', cold_start: false, correlation_id: 'api-request-2' });
  for (const line of [first, second]) {
    expect(Object.keys(line)).toEqual(expect.not.arrayContaining(['function_arn', 'function_name', 'function_memory_size']));
  }
});

test("one invocation's keys do not reach the next (no correlation id for a stream batch after an API request)", () => {
  const [line] = linesOf(() => {
    startInvocationLog(context('request-3'), 'api-request-3');
    startInvocationLog(context('request-4'));
    logger.warn('publish attempt failed; retrying', { attempt: 1 });
  });
  expect(line).toMatchObject({ function_request_id: 'request-4', cold_start: false });
  expect(line.correlation_id).toBeUndefined();
});
