import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@agentplug/registry-client';

/** Download counts and ratings, kept in `stats.json` in the store. */
export interface MarketplaceStats {
  downloads: Record<string, number>;
  ratings: Record<string, { sum: number; count: number }>;
}

/** The stats file's name in the store folder. */
export const STATS_FILE_NAME = 'stats.json';

/** Reads the stats of a store (empty when there are none). */
export async function readStats(storeDirectory: string): Promise<MarketplaceStats> {
  try {
    const parsed = JSON.parse(
      await readFile(join(storeDirectory, STATS_FILE_NAME), 'utf8'),
    ) as MarketplaceStats;
    return { downloads: parsed.downloads ?? {}, ratings: parsed.ratings ?? {} };
  } catch {
    return { downloads: {}, ratings: {} };
  }
}

/**
 * Persists stats with atomic writes, coalescing bursts: at most one write runs, and one more follows
 * it when stats changed meanwhile.
 */
export class StatsWriter {
  private running: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly storeDirectory: string,
    private readonly stats: MarketplaceStats,
  ) {}

  /** Schedules a write of the current stats. */
  schedule(): void {
    if (this.running !== undefined) {
      this.pending = true;
      return;
    }
    this.running = this.write().finally(() => {
      this.running = undefined;
      if (this.pending) {
        this.pending = false;
        this.schedule();
      }
    });
  }

  /** Resolves once every scheduled write has finished. */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
  }

  private async write(): Promise<void> {
    await writeFileAtomic(join(this.storeDirectory, STATS_FILE_NAME), JSON.stringify(this.stats));
  }
}
