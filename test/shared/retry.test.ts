import { backoffDelayMs, retryDelayMs, settleWithRetries, type RetryPolicy } from '../../lambda/shared/retry';

const retriable = Object.assign(new Error('throttled'), { retriable: true });
const fatal = new Error('broken');
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const options = { retry: FAST, concurrency: 2, isRetriable: (error: unknown) => error === retriable };

describe('settleWithRetries', () => {
  test('returns every outcome in item order, never rejecting', async () => {
    const results = await settleWithRetries([1, 2, 3], async (n) => {
      if (n === 2) throw fatal;
      return n * 10;
    }, options);

    expect(results).toEqual([{ ok: true, value: 10 }, { ok: false, error: fatal }, { ok: true, value: 30 }]);
  });

  test('runs a retriable failure again, up to maxAttempts, and a fatal one once', async () => {
    const runs = new Map<string, number>();
    await settleWithRetries(['retriable', 'fatal'], async (name) => {
      runs.set(name, (runs.get(name) ?? 0) + 1);
      throw name === 'retriable' ? retriable : fatal;
    }, options);

    expect(Object.fromEntries(runs)).toEqual({ retriable: 3, fatal: 1 });
  });

  test('starts no further round once canRetry refuses (the deadline has passed)', async () => {
    let runs = 0;
    const deadline = Date.now() - 1;
    const results = await settleWithRetries(['x'], async () => {
      runs++;
      throw retriable;
    }, { ...options, canRetry: (delayMs) => Date.now() + delayMs <= deadline });

    expect(runs).toBe(1);
    expect(results).toEqual([{ ok: false, error: retriable }]);
  });

  test('keeps at most `concurrency` tasks in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await settleWithRetries(Array.from({ length: 9 }, (_, i) => i), async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
    }, options);

    expect(most).toBe(2);
  });

  test('does nothing for no items', async () => {
    expect(await settleWithRetries([], async () => 1, options)).toEqual([]);
  });
});

describe('the retry policy', () => {
  afterEach(() => jest.restoreAllMocks());

  test('backoff doubles per attempt between half and all of the ceiling, capped at maxDelayMs', () => {
    const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 };
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(policy, n))).toEqual([100, 200, 300, 300]);
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect([1, 2, 3].map((n) => backoffDelayMs(policy, n))).toEqual([50, 100, 150]);
  });

  test('no retry once maxAttempts are made, nor when canRetry refuses the wait', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const canRetry = jest.fn((delayMs: number) => delayMs < 100);

    expect(retryDelayMs(FAST, 2)).toBe(1);
    expect(retryDelayMs(FAST, 3)).toBeUndefined();
    const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(policy, 1, canRetry)).toBe(50);
    expect(retryDelayMs(policy, 2, canRetry)).toBeUndefined();
    expect(canRetry.mock.calls).toEqual([[50], [100]]);
  });
});
