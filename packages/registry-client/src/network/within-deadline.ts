import type { PluginError } from '@agentplug/models';

/**
 * Settles like `promise`, or rejects with `onExpire()`'s error once `milliseconds` pass first.
 *
 * Aborting a fetch is not enough to end a pending body read: undici holds its abort listener
 * weakly, so after a garbage collection the signal no longer reaches the body and the read
 * never settles. Every network wait therefore has its own timer.
 */
export function within<T>(
  promise: Promise<T>,
  milliseconds: number,
  onExpire: () => PluginError,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onExpire()), milliseconds);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
