import { isTransientError, TransientError } from '../../lambda/shared/aws-errors';
import { sendUntilProcessed } from '../../lambda/tracking/unprocessed';

/**
 * The items a batch call (BatchWriteItem, BatchGetItem) leaves unprocessed are
 * sent again, by the shared retry policy: 3 calls in all, 25-50 ms then 50-100 ms
 * apart, then a TransientError (answered 503).
 */

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** A `send` that leaves unprocessed, call after call, what `left` says (the rest when it runs out: none). */
function sender(...left: string[][]): jest.Mock<Promise<readonly string[]>, [readonly string[]]> {
  const answers = [...left];
  return jest.fn(async (_requests: readonly string[]): Promise<readonly string[]> => answers.shift() ?? []);
}

describe('sendUntilProcessed sends again what a call left unprocessed', () => {
  test('makes one call when everything is processed', async () => {
    const send = sender();
    await sendUntilProcessed(['a', 'b'], send, 'things');

    expect(send.mock.calls).toEqual([[['a', 'b']]]);
  });

  test('makes no call for no requests', async () => {
    const send = sender();
    await sendUntilProcessed([], send, 'things');

    expect(send).not.toHaveBeenCalled();
  });

  test('sends only the unprocessed requests again, until none is left', async () => {
    const send = sender(['b', 'c'], ['c']);
    await sendUntilProcessed(['a', 'b', 'c'], send, 'things');

    expect(send.mock.calls).toEqual([[['a', 'b', 'c']], [['b', 'c']], [['c']]]);
  });

  test('waits the backoff between calls: 25 ms, then 50 ms, at the lowest jitter', async () => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const send = sender(['a'], ['a']);
    const sending = sendUntilProcessed(['a'], send, 'things');

    await jest.advanceTimersByTimeAsync(24);
    expect(send).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(send).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(49);
    expect(send).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(send).toHaveBeenCalledTimes(3);
    await sending;
  });
});

describe('sendUntilProcessed gives up after 3 calls', () => {
  test('throws a TransientError naming how many of what stayed unprocessed', async () => {
    const send = jest.fn(async (requests: readonly string[]) => requests.slice(1));
    const sending = sendUntilProcessed(['a', 'b', 'c', 'd'], send, 'state items');

    await expect(sending).rejects.toThrow(TransientError);
    await expect(sending).rejects.toThrow('1 state items stayed unprocessed after 3 calls');
    expect(send).toHaveBeenCalledTimes(3);
    expect(isTransientError(await sending.catch((error) => error))).toBe(true);
  });

  test('succeeds when the third call processes the rest', async () => {
    const send = sender(['a'], ['a']);

    await expect(sendUntilProcessed(['a'], send, 'things')).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(3);
  });

  test('passes on a failure of the call itself, without retrying it (the SDK retries calls)', async () => {
    const send = jest.fn(async () => {
      throw new Error('AccessDenied');
    });

    await expect(sendUntilProcessed(['a'], send, 'things')).rejects.toThrow('AccessDenied');
    expect(send).toHaveBeenCalledTimes(1);
  });
});
