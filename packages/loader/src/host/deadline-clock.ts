/** The longest delay Node's timers take; a later deadline is reached in steps of this size. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** One registered deadline: `expire` runs once when the clock passes `at`, unless removed first. */
export interface Deadline {
  /** When it expires, on the `performance.now()` clock (milliseconds); a number, Infinity for never. */
  readonly at: number;
  expire(): void;
}

/**
 * Deadlines of in-thread plugin calls on one shared timer. A timer per call (`setTimeout` when
 * the call starts, `clearTimeout` when it settles) is most of what a fast call costs; here a call
 * adds and removes an entry of a set, and the one timer is re-armed only when a deadline earlier
 * than the one it waits for comes in, or when it fires. It never expires a deadline early: when
 * it fires it checks each deadline against `performance.now()` and waits again for the rest.
 * While no deadline is registered the timer is unreferenced, so it keeps no process alive that a
 * settled call would not have kept alive with its own timer cleared.
 */
export class DeadlineClock {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (`performance.now()` milliseconds); Infinity when none is armed. */
  private timerAt = Number.POSITIVE_INFINITY;

  /** The number of deadlines registered now. */
  get size(): number {
    return this.pending.size;
  }

  /** Registers a deadline (an object the caller keeps, to remove it); its `expire` runs once when the clock passes its `at`, never before. */
  add(deadline: Deadline): void {
    this.pending.add(deadline);
    if (deadline.at < this.timerAt) this.arm(deadline.at);
    else if (this.pending.size === 1) this.timer?.ref();
  }

  /** Removes a deadline that has not expired (a call that settled); removing twice is harmless. */
  remove(deadline: Deadline): void {
    if (this.pending.delete(deadline) && this.pending.size === 0) this.timer?.unref();
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wait = Math.ceil(at - performance.now());
    const delay = wait < 1 ? 1 : Math.min(wait, LONGEST_TIMER_MS);
    this.timerAt = delay === wait ? at : performance.now() + delay;
    this.timer = setTimeout(this.fire, delay);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    // Node's timers run on the event loop's cached clock and may fire a little before the real
    // deadline: anything not yet due waits for the next arming.
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    const due: Deadline[] = [];
    for (const deadline of this.pending) {
      if (deadline.at <= now) due.push(deadline);
      else if (deadline.at < next) next = deadline.at;
    }
    for (const deadline of due) this.pending.delete(deadline);
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const deadline of due) deadline.expire();
  };
}

/** The clock every in-thread plugin call of this process shares. */
export const inThreadDeadlines: DeadlineClock = new DeadlineClock();
