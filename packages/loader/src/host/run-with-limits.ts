import { PluginError } from '@agentplug/models';
import { type Deadline, inThreadDeadlines } from './deadline-clock';
import type { PluginCallOptions } from './plugin-host';

function abortedError(what: string, signal: AbortSignal): PluginError {
  return new PluginError('ABORTED', `${what} was aborted`, { cause: signal.reason });
}

/**
 * One call under limits that returned a promise: its deadline on the shared clock and its abort
 * listener (`handleEvent`) in one object, so a call allocates no closures for them.
 */
class LimitedCall implements Deadline {
  private registered = false;

  constructor(
    readonly at: number,
    private readonly options: PluginCallOptions,
    private readonly what: string,
    private readonly rejectCall: (error: unknown) => void,
  ) {}

  /** Arms the deadline (when there is a time limit) and the abort listener (when there is a signal). */
  start(): void {
    if (!Number.isNaN(this.at)) {
      this.registered = true;
      inThreadDeadlines.add(this);
    }
    this.options.signal?.addEventListener('abort', this, { once: true });
  }

  /** The call settled: nothing is armed any more. */
  finish(): void {
    if (this.registered) inThreadDeadlines.remove(this);
    this.options.signal?.removeEventListener('abort', this);
  }

  /** The deadline passed (the clock has already dropped it). */
  expire(): void {
    this.registered = false;
    this.options.signal?.removeEventListener('abort', this);
    const { timeoutMs } = this.options;
    this.rejectCall(
      new PluginError('TIMEOUT', `${this.what} took longer than ${timeoutMs} ms`, { details: { timeoutMs } }),
    );
  }

  /** The signal aborted (the listener was registered with `once`). */
  handleEvent(): void {
    if (this.registered) inThreadDeadlines.remove(this);
    this.rejectCall(abortedError(this.what, this.options.signal!));
  }
}

/**
 * Runs `task` in this thread and rejects with TIMEOUT past `timeoutMs` (counted from before the
 * task starts; below 1 ms, or not a number, it is 1 ms, as `setTimeout` takes it) or ABORTED
 * when `signal` aborts. An in-process task cannot be stopped, only abandoned: it keeps running
 * after the rejection. A task that returns a primitive has finished, so no deadline is armed for
 * it; one that returns an object (a promise) gets a deadline on the shared
 * {@link inThreadDeadlines} clock (no timer of its own); both get the abort listener, removed
 * when they settle.
 *
 * @throws PluginError TIMEOUT, ABORTED
 */
export function runWithLimits<T>(
  task: () => Promise<T> | T,
  options: PluginCallOptions,
  what: string,
): Promise<T> {
  const { timeoutMs, signal } = options;
  if (signal?.aborted) return Promise.reject(abortedError(what, signal));
  const startedAt = timeoutMs === undefined ? 0 : performance.now();
  let result: Promise<T> | T;
  try {
    result = task();
  } catch (error) {
    return Promise.reject(error);
  }
  // A primitive came back: the call is over, and no timer could fire before the caller reads it
  // (the old timer per call was cleared in the same turn of the event loop), so none is armed.
  // With a signal the result still waits one microtask, so an abort right after the call wins
  // as it always did.
  const finished = (typeof result !== 'object' && typeof result !== 'function') || result === null;
  if (signal === undefined && (finished || timeoutMs === undefined)) return Promise.resolve(result);
  const at =
    timeoutMs === undefined || finished
      ? Number.NaN
      : startedAt + (Number.isNaN(timeoutMs) ? 1 : Math.max(timeoutMs, 1));
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    const call = new LimitedCall(at, options, what, reject);
    call.start();
    Promise.resolve(pending).then(
      (value) => {
        call.finish();
        resolve(value);
      },
      (error: unknown) => {
        call.finish();
        reject(error);
      },
    );
  });
}
