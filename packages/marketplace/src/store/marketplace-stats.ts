/** A plugin's ratings: their sum and how many there are. */
export interface RatingTotal {
  sum: number;
  count: number;
}

/** Download counts and ratings, by plugin id. */
export interface MarketplaceStats {
  downloads: Record<string, number>;
  ratings: Record<string, RatingTotal>;
}

/**
 * Sends download counts to a store in batches: counts gathered while one batch waits or is
 * written go in the next, so a burst of downloads costs a few writes, not one each. With
 * `delayMs`, a batch waits that long before it is written (a download then costs no database
 * statement of its own on a busy server); `flush` writes at once.
 */
export class DownloadCounter {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Record<string, number> = Object.create(null);
  private hasPending = false;

  constructor(
    private readonly write: (counts: Readonly<Record<string, number>>) => Promise<void>,
    private readonly delayMs = 0,
  ) {}

  /** Counts one download and schedules a write. */
  count(pluginId: string): void {
    this.pending[pluginId] = (this.pending[pluginId] ?? 0) + 1;
    this.hasPending = true;
    this.later();
  }

  // Writes after the delay, unless a write or a wait is already under way (its end calls again).
  private later(): void {
    if (this.delayMs <= 0) {
      this.schedule();
      return;
    }
    if (this.timer !== undefined || this.running !== undefined || !this.hasPending) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, this.delayMs);
    this.timer.unref();
  }

  private schedule(): void {
    if (this.running !== undefined || !this.hasPending) return;
    const batch = this.pending;
    this.pending = Object.create(null);
    this.hasPending = false;
    // Counters are best effort: a failed write (disk full, database away) must not take the server
    // down; that batch is lost rather than retried forever.
    this.running = this.write(batch)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.later();
      });
  }

  /** Resolves once every counted download has been written (or its write has failed). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.schedule();
    while (this.running !== undefined) {
      await this.running;
      // Counted while that write ran: written now, not after the delay.
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.schedule();
    }
  }
}
