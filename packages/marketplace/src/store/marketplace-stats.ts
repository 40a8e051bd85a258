/** Download counts and ratings, by plugin id. */
export interface MarketplaceStats {
  downloads: Record<string, number>;
  ratings: Record<string, { sum: number; count: number }>;
}

/**
 * Persists stats through `write`, coalescing bursts: at most one write runs, and one more follows
 * it when stats changed meanwhile.
 */
export class StatsWriter {
  private running: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly stats: MarketplaceStats,
    private readonly write: (stats: MarketplaceStats) => Promise<void>,
  ) {}

  /** Schedules a write of the current stats. */
  schedule(): void {
    if (this.running !== undefined) {
      this.pending = true;
      return;
    }
    // Counters are best effort: a failed write (disk full) must not take the server down, and
    // the next change writes the whole stats again.
    this.running = this.write(this.stats)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.pending) {
          this.pending = false;
          this.schedule();
        }
      });
  }

  /** Resolves once every scheduled write has finished. */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }
}
