import { describe, expect, it } from 'vitest';
import { createInspectionQueue } from './inspection-queue';

describe('createInspectionQueue', () => {
  it('runs at most `concurrency` at once, in arrival order, through failures', async () => {
    const queue = createInspectionQueue(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = (index: number) => async () => {
      started.push(index);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (index === 3) throw new Error('inspection 3 failed');
      return index;
    };
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => queue(work(index))));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    // A new arrival after the rush still gets a slot at once.
    expect(await queue(async () => 'later')).toBe('later');
  });
});
