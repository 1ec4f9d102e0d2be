import { settleWithRetries } from '../../lambda/tracking/retry';

const retriable = Object.assign(new Error('throttled'), { retriable: true });
const fatal = new Error('broken');
const options = { concurrency: 2, maxAttempts: 3, baseDelayMs: 1, isRetriable: (error: unknown) => error === retriable, deadline: Infinity };

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

  test('starts no further round once the deadline has passed', async () => {
    let runs = 0;
    const results = await settleWithRetries(['x'], async () => {
      runs++;
      throw retriable;
    }, { ...options, deadline: Date.now() - 1 });

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
