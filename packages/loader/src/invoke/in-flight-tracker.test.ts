import { describe, expect, it } from 'vitest';
import { InFlightTracker } from './in-flight-tracker';

function deferred(): {
  promise: Promise<string>;
  resolve: (value: string) => void;
  reject: (error: Error) => void;
} {
  let resolve: (value: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

describe('InFlightTracker', () => {
  it('counts a call until it settles, whether it resolves, rejects or throws at once', async () => {
    const tracker = new InFlightTracker();
    const first = deferred();
    const second = deferred();
    const resolved = tracker.track(() => first.promise);
    const rejected = tracker.track(() => second.promise);
    expect(tracker.size).toBe(2);
    first.resolve('done');
    await expect(resolved).resolves.toBe('done');
    expect(tracker.size).toBe(1);
    second.reject(new Error('plugin failed'));
    await expect(rejected).rejects.toThrow('plugin failed');
    expect(tracker.size).toBe(0);
    const thrown = tracker.track((): Promise<string> => {
      throw new Error('thrown at once');
    });
    await expect(thrown).rejects.toThrow('thrown at once');
    expect(tracker.size).toBe(0);
  });

  it('drains when the last running call settles, not before', async () => {
    const tracker = new InFlightTracker();
    const calls = [deferred(), deferred()];
    for (const call of calls) void tracker.track(() => call.promise);
    let drained = false;
    const draining = tracker.drain(60_000).then(() => {
      drained = true;
    });
    calls[0]!.resolve('one');
    await calls[0]!.promise;
    await Promise.resolve();
    expect(drained).toBe(false);
    calls[1]!.resolve('two');
    await draining;
    expect(drained).toBe(true);
  });

  it('stops waiting after the drain timeout when a call never settles', async () => {
    const tracker = new InFlightTracker();
    void tracker.track(() => new Promise<never>(() => undefined));
    const startedAt = performance.now();
    await tracker.drain(40);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(35);
    expect(tracker.size).toBe(1);
  });

  it('holds new calls until released; a release is idempotent', async () => {
    const tracker = new InFlightTracker();
    expect(tracker.whileHeld).toBeNull();
    const release = tracker.hold();
    const held = tracker.whileHeld;
    expect(held).toBeInstanceOf(Promise);
    let passed = false;
    const waiting = held!.then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(passed).toBe(false);
    release();
    release();
    await waiting;
    expect(passed).toBe(true);
    expect(tracker.whileHeld).toBeNull();
  });
});
