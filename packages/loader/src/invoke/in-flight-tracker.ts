/**
 * The calls running on one plugin's instance, shared by `invoke` and the hot swap: `invoke`
 * counts each call while it runs and waits while calls are held; the swap holds new calls, waits
 * for the running ones to finish on the old instance, then lets the held ones through to the new.
 */
export class InFlightTracker {
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private held: Promise<void> | null = null;

  /** The number of calls running now. */
  get size(): number {
    return this.running;
  }

  /** While calls are held (a swap is under way): a promise that resolves when they may go on. Else null. */
  get whileHeld(): Promise<void> | null {
    return this.held;
  }

  /** Starts `call` and counts it until it settles; a synchronous throw counts as a rejection. */
  track<Result>(call: () => Promise<Result>): Promise<Result> {
    this.running += 1;
    let pending: Promise<Result>;
    try {
      pending = call();
    } catch (error) {
      this.settle();
      return Promise.reject(error);
    }
    return pending.then(
      (result) => {
        this.settle();
        return result;
      },
      (error: unknown) => {
        this.settle();
        throw error;
      },
    );
  }

  /** Holds new calls until the returned function is called (idempotent). */
  hold(): () => void {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolveHeld) => {
      release = resolveHeld;
    });
    this.held = held;
    return () => {
      if (this.held === held) this.held = null;
      release();
    };
  }

  /**
   * Resolves once no call runs, or after `timeoutMs` at the latest: a call that never settles
   * must not block a swap (and every later operation on the plugin) forever.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolveIdle) => {
      this.idleWaiters.push(resolveIdle);
      timer = setTimeout(resolveIdle, timeoutMs);
    });
    clearTimeout(timer);
  }

  private settle(): void {
    this.running -= 1;
    if (this.running === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
