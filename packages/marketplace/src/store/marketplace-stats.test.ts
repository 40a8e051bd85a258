import { describe, expect, it } from 'vitest';
import { DownloadCounter } from './marketplace-stats';

describe('DownloadCounter', () => {
  it('writes at once without a delay, and batches what is counted while a write runs', async () => {
    const writes: Record<string, number>[] = [];
    let release!: () => void;
    const counter = new DownloadCounter(async (counts) => {
      writes.push({ ...counts });
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    counter.count('a');
    expect(writes).toEqual([{ a: 1 }]);
    counter.count('a');
    counter.count('b');
    release();
    await counter.flush();
    expect(writes).toEqual([{ a: 1 }, { a: 1, b: 1 }]);
  });

  it('with a delay, writes every download of the window in one batch, and flush writes what waits at once', async () => {
    const writes: Record<string, number>[] = [];
    const counter = new DownloadCounter(async (counts) => {
      writes.push({ ...counts });
    }, 60_000);
    for (let index = 0; index < 50; index += 1) counter.count(index % 2 === 0 ? 'a' : 'b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual([]);
    await counter.flush();
    expect(writes).toEqual([{ a: 25, b: 25 }]);
    counter.count('a');
    await counter.flush();
    expect(writes).toEqual([{ a: 25, b: 25 }, { a: 1 }]);
  });

  it('writes after the delay without a flush', async () => {
    const writes: Record<string, number>[] = [];
    const counter = new DownloadCounter(async (counts) => {
      writes.push({ ...counts });
    }, 30);
    counter.count('a');
    counter.count('a');
    const start = Date.now();
    while (writes.length === 0 && Date.now() - start < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writes).toEqual([{ a: 2 }]);
  });
});
