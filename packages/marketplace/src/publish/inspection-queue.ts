/** Runs work at most `concurrency` at a time, the rest waiting in arrival order. */
export type InspectionQueue = <Result>(work: () => Promise<Result>) => Promise<Result>;

/**
 * Makes the queue that bounds inspections on the server's own thread: each inspection holds an
 * archive's whole inflated content in memory (up to the extraction cap, 256 MiB by default), so
 * running every upload's inspection at once would let a few small, highly compressed uploads take
 * gigabytes. With inspection workers the pool's size bounds them instead.
 * @example
 * const queue = createInspectionQueue(2);
 * const inspection = await queue(() => inspectArchive(archive));
 */
export function createInspectionQueue(concurrency: number): InspectionQueue {
  const limit = Math.max(1, Math.floor(concurrency));
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    // A finishing inspection hands its slot to the next in line, so none starts past the limit.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next();
    }
  };
}
