/**
 * Runs tasks one at a time per key, in the order they were queued; tasks of different keys run
 * concurrently. A failed task does not stop the ones queued after it.
 */
export class OperationQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Queues `task` behind every task already queued for `key` and resolves with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Whether a task for `key` is running or queued. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}
