import { describe, expect, it } from 'vitest';
import { createGroupCommit, type RoundOutcome } from './group-commit';

// A lock held by one round at a time, as `mutate` holds the store's.
function createLock(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}

describe('createGroupCommit', () => {
  it('batches what arrives while a round runs into the next round, and answers each item its own outcome', async () => {
    const lock = createLock();
    const rounds: number[][] = [];
    let release!: () => void;
    const firstRoundHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    const commit = createGroupCommit<number, string>({
      maxBatch: 100,
      run: (take) =>
        lock(async () => {
          const batch = take();
          rounds.push(batch);
          if (rounds.length === 1) await firstRoundHeld;
          return batch.map(
            (item): RoundOutcome<string> =>
              item % 5 === 0
                ? { ok: false, error: new Error(`refused ${item}`) }
                : { ok: true, value: `done ${item}` },
          );
        }),
    });
    const first = commit.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = [2, 3, 4, 5, 6].map((item) => commit.submit(item));
    expect(commit.waiting).toBe(5);
    release();
    expect(await first).toBe('done 1');
    const settled = await Promise.allSettled(later);
    expect(
      settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : String(outcome.reason))),
    ).toEqual(['done 2', 'done 3', 'done 4', 'Error: refused 5', 'done 6']);
    // Two rounds, not six: the five that waited behind the first went in together.
    expect(rounds).toEqual([[1], [2, 3, 4, 5, 6]]);
  });

  it('takes at most maxBatch items a round and runs the rest in the next', async () => {
    const rounds: number[][] = [];
    const lock = createLock();
    const limited = createGroupCommit<number, number>({
      maxBatch: 3,
      run: (take) =>
        lock(async () => {
          const batch = take();
          rounds.push(batch);
          return batch.map((item): RoundOutcome<number> => ({ ok: true, value: item * 2 }));
        }),
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((item) => limited.submit(item)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(rounds.every((batch) => batch.length <= 3)).toBe(true);
    expect(rounds.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses every item of a round that fails, and the next round still runs', async () => {
    const lock = createLock();
    let failNext = true;
    const commit = createGroupCommit<number, number>({
      maxBatch: 10,
      run: (take) =>
        lock(async () => {
          const batch = take();
          if (failNext) {
            failNext = false;
            throw new Error('commit failed');
          }
          return batch.map((item): RoundOutcome<number> => ({ ok: true, value: item }));
        }),
    });
    const failed = await Promise.allSettled([commit.submit(1), commit.submit(2)]);
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await commit.submit(3)).toBe(3);
  });

  it('refuses what waits when a round fails before taking it (the lock or the store failed)', async () => {
    let calls = 0;
    const commit = createGroupCommit<number, number>({
      maxBatch: 10,
      run: async (take) => {
        calls += 1;
        if (calls === 1) throw new Error('no lock');
        return take().map((item): RoundOutcome<number> => ({ ok: true, value: item }));
      },
    });
    await expect(commit.submit(1)).rejects.toThrowError('no lock');
    expect(commit.waiting).toBe(0);
    expect(await commit.submit(2)).toBe(2);
  });
});
