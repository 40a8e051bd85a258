import { getEventListeners } from 'node:events';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { inThreadDeadlines } from './deadline-clock';
import { runWithLimits } from './run-with-limits';

function referencedTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

async function failureOf(pending: Promise<unknown>): Promise<PluginError> {
  try {
    await pending;
  } catch (error) {
    if (PluginError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('runWithLimits', () => {
  it('rejects with TIMEOUT no sooner than timeoutMs after the call started, and leaves nothing registered', async () => {
    let ran = false;
    const started = performance.now();
    const error = await failureOf(
      runWithLimits(
        () => {
          ran = true;
          return never();
        },
        { timeoutMs: 40 },
        'com.test.x.slow()',
      ),
    );
    const elapsed = performance.now() - started;
    expect(ran).toBe(true);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('com.test.x.slow() took longer than 40 ms');
    expect(error.details).toEqual({ timeoutMs: 40 });
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(5000);
    expect(inThreadDeadlines.size).toBe(0);
  });

  it('counts the time limit from before the task starts, synchronous work included', async () => {
    const started = performance.now();
    const error = await failureOf(
      runWithLimits(
        () => {
          while (performance.now() - started < 60) {
            // Busy: the limit is already spent when the promise comes back.
          }
          return never();
        },
        { timeoutMs: 50 },
        'com.test.x.busy()',
      ),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(60 + 2000);
  });

  it('takes a limit below 1 ms, or not a number, as 1 ms like setTimeout', async () => {
    for (const timeoutMs of [0, -5, Number.NaN]) {
      const error = await failureOf(runWithLimits(never, { timeoutMs }, 'com.test.x.wait()'));
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe(`com.test.x.wait() took longer than ${timeoutMs} ms`);
    }
    expect(inThreadDeadlines.size).toBe(0);
  });

  it('resolves a call that settles in time, with no deadline or listener left behind', async () => {
    const controller = new AbortController();
    const value = await runWithLimits(
      async () => {
        await new Promise((resolveSoon) => setTimeout(resolveSoon, 5));
        return { sum: 3 };
      },
      { timeoutMs: 60_000, signal: controller.signal },
      'com.test.x.add()',
    );
    expect(value).toEqual({ sum: 3 });
    expect(inThreadDeadlines.size).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('arms nothing for a primitive returned synchronously', async () => {
    const timersBefore = referencedTimers();
    const pending = runWithLimits(() => 3, { timeoutMs: 60_000 }, 'com.test.x.add()');
    expect(inThreadDeadlines.size).toBe(0);
    expect(referencedTimers()).toBe(timersBefore);
    expect(await pending).toBe(3);
  });

  it('rejects with ABORTED when the signal aborts, even right after a synchronous result', async () => {
    const reason = new Error('user cancelled');
    const controller = new AbortController();
    const pending = runWithLimits(
      never,
      { timeoutMs: 60_000, signal: controller.signal },
      'com.test.x.wait()',
    );
    controller.abort(reason);
    const error = await failureOf(pending);
    expect(error.code).toBe('ABORTED');
    expect(error.message).toBe('com.test.x.wait() was aborted');
    expect(error.cause).toBe(reason);
    expect(inThreadDeadlines.size).toBe(0);

    const quick = new AbortController();
    const synchronous = runWithLimits(
      () => 3,
      { timeoutMs: 60_000, signal: quick.signal },
      'com.test.x.add()',
    );
    quick.abort();
    expect((await failureOf(synchronous)).code).toBe('ABORTED');
  });

  it('does not start the task when the signal has already aborted', async () => {
    let ran = false;
    const error = await failureOf(
      runWithLimits(
        () => {
          ran = true;
          return 1;
        },
        { signal: AbortSignal.abort() },
        'com.test.x.add()',
      ),
    );
    expect(error.code).toBe('ABORTED');
    expect(ran).toBe(false);
  });

  it('passes a synchronous throw and a rejection on unchanged, as rejections', async () => {
    const thrown = new Error('plugin says no');
    const synchronous = runWithLimits(
      () => {
        throw thrown;
      },
      { timeoutMs: 1000 },
      'com.test.x.fail()',
    );
    await expect(synchronous).rejects.toBe(thrown);
    const asynchronous = runWithLimits(
      () => Promise.reject(thrown),
      { timeoutMs: 1000 },
      'com.test.x.fail()',
    );
    await expect(asynchronous).rejects.toBe(thrown);
    expect(inThreadDeadlines.size).toBe(0);
  });
});
