/** What a round answers for one item it took: its result, or why it was refused. */
export type RoundOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions<Item, Result> {
  /** The most items one round takes; the rest wait for the next round. */
  maxBatch: number;
  /**
   * Runs one round. It calls `take` once it holds the lock (so everything that arrived while the
   * previous round ran joins this one) and answers one outcome per item taken, in order. When it
   * throws, every item it took (or, if it never took, every item waiting) is refused with that error.
   */
  run(take: () => Item[]): Promise<RoundOutcome<Result>[]>;
}

/** Hands items to rounds: each item's promise settles when the round that took it has committed. */
export interface GroupCommit<Item, Result> {
  submit(item: Item): Promise<Result>;
  /** Items waiting for a round. */
  readonly waiting: number;
}

interface Waiter<Item, Result> {
  item: Item;
  resolve(value: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items that arrive while a round is in flight are batched into the next round, so N
 * concurrent changes cost a few rounds (one signature, one metadata write each) instead of N.
 * At most one round waits for the lock at a time.
 * @example
 * const publishes = createGroupCommit({ maxBatch: 256, run: (take) => mutate(() => applyAll(take())) });
 * await publishes.submit(upload);
 */
export function createGroupCommit<Item, Result>(
  options: GroupCommitOptions<Item, Result>,
): GroupCommit<Item, Result> {
  const queue: Waiter<Item, Result>[] = [];
  let scheduled = false;

  const startRound = async (): Promise<void> => {
    let taken: Waiter<Item, Result>[] | undefined;
    const take = (): Item[] => {
      taken = queue.splice(0, options.maxBatch);
      scheduled = false;
      // More than one round's worth waiting: the next round queues behind this one now.
      if (queue.length > 0) schedule();
      return taken.map((waiter) => waiter.item);
    };
    try {
      const outcomes = await options.run(take);
      const settled = taken ?? [];
      settled.forEach((waiter, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined) waiter.reject(new Error('a publish round answered no outcome'));
        else if (outcome.ok) waiter.resolve(outcome.value);
        else waiter.reject(outcome.error);
      });
    } catch (error) {
      // A round that failed before taking (the lock, the store) refuses what waits rather than spin.
      if (taken === undefined) take();
      for (const waiter of taken ?? []) waiter.reject(error);
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    void startRound();
  };

  return {
    submit(item) {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
