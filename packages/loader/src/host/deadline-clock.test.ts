import { afterEach, describe, expect, it } from 'vitest';
import { type Deadline, DeadlineClock } from './deadline-clock';

/** Referenced timers of this process: what keeps it alive. */
function referencedTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

const clocks: { clock: DeadlineClock; deadlines: Deadline[] }[] = [];

/** Registers a deadline on `clock` and returns it. */
function addDeadline(clock: DeadlineClock, at: number, expire: () => void): Deadline {
  const deadline: Deadline = { at, expire };
  clock.add(deadline);
  return deadline;
}

function newClock(): { clock: DeadlineClock; deadlines: Deadline[] } {
  const entry = { clock: new DeadlineClock(), deadlines: [] as Deadline[] };
  clocks.push(entry);
  return entry;
}

afterEach(() => {
  for (const { clock, deadlines } of clocks.splice(0))
    for (const deadline of deadlines) clock.remove(deadline);
});

describe('DeadlineClock', () => {
  it('expires a deadline once, never before its time by performance.now()', async () => {
    const { clock, deadlines } = newClock();
    const expiredAt: number[] = [];
    const at = performance.now() + 30;
    deadlines.push(addDeadline(clock, at, () => expiredAt.push(performance.now())));
    await sleep(300);
    expect(expiredAt).toHaveLength(1);
    expect(expiredAt[0]).toBeGreaterThanOrEqual(at);
    expect(clock.size).toBe(0);
  });

  it('re-arms for a deadline earlier than the one it waits for, and still expires the later one', async () => {
    const { clock, deadlines } = newClock();
    const order: string[] = [];
    const started = performance.now();
    const lateAt = started + 400;
    const earlyAt = started + 20;
    deadlines.push(addDeadline(clock, lateAt, () => order.push('late')));
    deadlines.push(addDeadline(clock, earlyAt, () => order.push(`early ${performance.now() >= earlyAt}`)));
    await sleep(200);
    expect(order).toEqual(['early true']);
    await sleep(600);
    expect(order).toEqual(['early true', 'late']);
  });

  it('never expires a removed deadline, and removing twice is harmless', async () => {
    const { clock } = newClock();
    const expired: string[] = [];
    const removed = addDeadline(clock, performance.now() + 10, () => expired.push('removed'));
    const kept = addDeadline(clock, performance.now() + 20, () => expired.push('kept'));
    clock.remove(removed);
    clock.remove(removed);
    expect(clock.size).toBe(1);
    await sleep(300);
    expect(expired).toEqual(['kept']);
    clock.remove(kept);
    expect(clock.size).toBe(0);
  });

  it('holds one referenced timer while deadlines are registered, and none once they are removed', () => {
    const { clock, deadlines } = newClock();
    const before = referencedTimers();
    const first = addDeadline(clock, performance.now() + 60_000, () => undefined);
    for (let index = 0; index < 1000; index += 1) {
      deadlines.push(addDeadline(clock, performance.now() + 60_000 + index, () => undefined));
    }
    expect(referencedTimers()).toBe(before + 1);
    clock.remove(first);
    for (const deadline of deadlines.splice(0)) clock.remove(deadline);
    expect(referencedTimers()).toBe(before);
    // A later deadline reuses the armed timer (it fires first and waits again) and references it.
    const again = addDeadline(clock, performance.now() + 70_000, () => undefined);
    expect(referencedTimers()).toBe(before + 1);
    clock.remove(again);
    expect(referencedTimers()).toBe(before);
  });

  it('waits past the longest delay Node timers take without a warning or an early expiry', async () => {
    const { clock, deadlines } = newClock();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const expired: number[] = [];
      deadlines.push(addDeadline(clock, performance.now() + 2 ** 32, () => expired.push(1)));
      deadlines.push(addDeadline(clock, Number.POSITIVE_INFINITY, () => expired.push(2)));
      await sleep(50);
      expect(expired).toEqual([]);
      expect(clock.size).toBe(2);
      expect(warnings.map((warning) => warning.name)).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
