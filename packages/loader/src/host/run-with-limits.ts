import { PluginError } from '@agentplug/models';
import type { PluginCallOptions } from './plugin-host';

/**
 * Runs `task` and rejects with TIMEOUT past `timeoutMs` or ABORTED when `signal` aborts. An
 * in-process task cannot be stopped, only abandoned: it keeps running after the rejection.
 * Without a time limit or a signal this adds nothing (no timer, no listener).
 *
 * @throws PluginError TIMEOUT, ABORTED
 */
export function runWithLimits<T>(
  task: () => Promise<T> | T,
  options: PluginCallOptions & { what: string },
): Promise<T> {
  const { timeoutMs, signal, what } = options;
  if (signal?.aborted) {
    return Promise.reject(new PluginError('ABORTED', `${what} was aborted`, { cause: signal.reason }));
  }
  if (timeoutMs === undefined && signal === undefined) {
    try {
      return Promise.resolve(task());
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise<T>((resolvePromise, rejectPromise) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      finish();
      rejectPromise(new PluginError('ABORTED', `${what} was aborted`, { cause: signal?.reason }));
    };
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        finish();
        rejectPromise(
          new PluginError('TIMEOUT', `${what} took longer than ${timeoutMs} ms`, { details: { timeoutMs } }),
        );
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(task)
      .then(
        (value) => {
          finish();
          resolvePromise(value);
        },
        (error: unknown) => {
          finish();
          rejectPromise(error);
        },
      );
  });
}
