import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed, isRetryableEntryCode, isTransientError, TransientError } from '../../lambda/shared/aws-errors';
import { StateContentionError } from '../../lambda/tracking/state-write';

const sdkError = (name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode }, ...extra });

describe('the one transient-failure classifier', () => {
  test.each<[string, unknown, boolean]>([
    // Throttling, whichever service answered.
    ['ThrottlingException', sdkError('ThrottlingException', 400), true],
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }), true],
    ['RequestLimitExceeded', sdkError('RequestLimitExceeded', 400), true],
    ['TooManyRequestsException', sdkError('TooManyRequestsException', 400), true],
    // The service itself.
    ['InternalServerError (DynamoDB)', sdkError('InternalServerError', 500), true],
    ['InternalException (500)', sdkError('InternalException', 500), true],
    ['any 503', sdkError('Whatever', 503), true],
    ['any 429', sdkError('Whatever', 429), true],
    ['an error the SDK marks retryable', sdkError('Whatever', 400, { $retryable: {} }), true],
    // Timeouts and the network.
    ['a request timeout', { name: 'TimeoutError' }, true],
    ['the invocation deadline (AbortError)', { name: 'AbortError' }, true],
    ['no HTTP response (network)', sdkError('Error'), true],
    ['a bare Node ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    // This package's own, by class.
    ['a TransientError', new TransientError('try later'), true],
    ['state contention', new StateContentionError('PKG-1'), true],
    // Not transient.
    ['an error merely named like state contention', Object.assign(new Error('x'), { name: 'StateUpdateContention' }), false],
    ['ConditionalCheckFailedException', new ConditionalCheckFailedException({ message: 'failed', $metadata: { httpStatusCode: 400 } }), false],
    ['ValidationException', sdkError('ValidationException', 400), false],
    ['AccessDeniedException', sdkError('AccessDeniedException', 400), false],
    ['ResourceNotFoundException (no such bus)', sdkError('ResourceNotFoundException', 400), false],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['not an error at all', 'boom', false],
  ])('%s → %s', (_, error, transient) => {
    expect(isTransientError(error)).toBe(transient);
  });

  test('PutEvents entry codes: only the documented retryable ones', () => {
    expect(['InternalFailure', 'ThrottlingException'].every(isRetryableEntryCode)).toBe(true);
    expect([undefined, 'InvalidArgument', 'MalformedDetail', 'AccessDeniedException'].some(isRetryableEntryCode)).toBe(false);
  });

  test('a failed DynamoDB condition is told apart from every other error', () => {
    expect(isConditionalCheckFailed(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))).toBe(true);
    expect(isConditionalCheckFailed(sdkError('ValidationException', 400))).toBe(false);
    expect(isConditionalCheckFailed(undefined)).toBe(false);
  });
});
