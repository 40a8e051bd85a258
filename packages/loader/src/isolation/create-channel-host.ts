import { PluginError, type SandboxLayers } from '@agentplug/models';
import { type Deadline, DeadlineClock } from '../host/deadline-clock';
import type {
  LifecycleHook,
  PermissionEvent,
  PluginCallOptions,
  PluginHost,
  PluginHostOptions,
} from '../host/plugin-host';
import { createInstanceProxy } from './create-instance-proxy';
import {
  type CallMessage,
  type ParsePluginMessageOptions,
  type PluginMessage,
  parsePluginMessage,
} from './plugin-message';
import { rebuildError } from './rebuild-error';

/** How long starting an isolated plugin's runtime and installing its policy may take. */
const bootTimeoutMs = 30_000;
/** Permission events a plugin may send in a burst, and per second after it. */
const permissionBurst = 10_000;
const permissionsPerSecond = 1_000;
/** How many abandoned (aborted) calls are remembered, so their late answers are not taken as lies. */
const maximumAbandoned = 1_024;
/**
 * The time limits of every isolated plugin's calls in this process, on one timer: a timer per call
 * (set when it starts, cleared when it settles) was a large part of what a fast call costs the host.
 */
const callDeadlines = new DeadlineClock();

/** The transport of an isolated plugin: how calls reach it and how it is ended. */
export interface PluginChannel {
  /** Sends a call; throws when its arguments cannot be sent. */
  send(message: CallMessage): void;
  /** Ends the plugin's isolate or process; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** Options of {@link createChannelHost}. */
export interface ChannelHostOptions {
  host: PluginHostOptions;
  /** The layers around this plugin, as `state.sandbox` reports them. */
  layers: SandboxLayers;
  /** How values arrive (see {@link ParsePluginMessageOptions}). */
  values: ParsePluginMessageOptions['values'];
  /** What the plugin runs in, for messages: `worker` or `process`. */
  noun: string;
  /** The code a crash of this kind of isolation carries. */
  crashCode: 'WORKER_CRASHED' | 'PROCESS_CRASHED';
}

/** The loader-facing host plus what the transport needs to drive it. */
export interface ChannelHost {
  /** Resolves with the host once the plugin is loaded; rejects with why it did not load. */
  ready: Promise<PluginHost>;
  /** Feeds one raw message from the plugin (never throws). */
  receive(raw: unknown): void;
  /** Ends the plugin for good: every pending call rejects with `error` (or `rejectWith(id)`), the crash is reported once. */
  fail(error: PluginError, rejectWith?: (callId: number) => Error): void;
  /** Binds the transport (once it exists). */
  attach(channel: PluginChannel): void;
  /** Whether the plugin was already ended. */
  readonly failed: boolean;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  finish: () => void;
}

/**
 * The host side of an isolated plugin's call channel, common to the worker and process tiers:
 * pending calls with their time limits and abort signals, the instance proxy, permission events,
 * and the rule that every message from the plugin is untrusted. A message that is malformed,
 * answers a call that was not made (or twice), comes out of order or floods the channel ends the
 * plugin with PROTOCOL_VIOLATION; the host and the other plugins go on.
 */
export function createChannelHost(options: ChannelHostOptions): ChannelHost {
  const { host: hostOptions, noun, crashCode } = options;
  const { pluginId, sandbox } = hostOptions;
  const defaultTimeoutMs = Math.max(1, Math.round(sandbox.max_execution_time_seconds * 1000));
  const parseOptions: ParsePluginMessageOptions = { values: options.values };
  const pending = new Map<number, PendingCall>();
  const abandoned = new Set<number>();
  let channel: PluginChannel | undefined;
  let nextCallId = 1;
  let methods = new Set<string>();
  let booted = false;
  let ready = false;
  let settled = false;
  let disposed = false;
  let failure: PluginError | undefined;
  let permissionTokens = permissionBurst;
  let permissionRefilledAt = performance.now();
  let resolveReady: (host: PluginHost) => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const readyPromise = new Promise<PluginHost>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  let loadTimer: NodeJS.Timeout | undefined;

  const reportPermission = (capability: string, target: string, allowed: boolean): void => {
    if (hostOptions.onPermissionEvent === undefined) return;
    const event: PermissionEvent = { pluginId, capability, target, allowed, at: new Date() };
    try {
      hostOptions.onPermissionEvent(event);
    } catch {
      // A failing listener must not break the plugin's channel.
    }
  };

  const settleLoad = (error?: Error): void => {
    if (settled) return;
    settled = true;
    clearTimeout(loadTimer);
    if (error === undefined) resolveReady(host);
    else rejectReady(error);
  };

  const fail = (error: PluginError, rejectWith: (callId: number) => Error = () => error): void => {
    if (failure !== undefined || disposed) return;
    failure = error;
    for (const [id, call] of pending) {
      call.finish();
      call.reject(rejectWith(id));
    }
    pending.clear();
    void channel?.terminate();
    if (!ready) {
      settleLoad(error);
      return;
    }
    try {
      hostOptions.onCrash?.(error);
    } catch {
      // The host's crash handler failing must not escape into the transport's event handlers.
    }
  };

  const violate = (reason: string): void => {
    fail(
      new PluginError('PROTOCOL_VIOLATION', `plugin "${pluginId}" was ended: ${reason}`, {
        details: { pluginId, reason },
      }),
    );
  };

  const takePermissionToken = (): boolean => {
    const now = performance.now();
    permissionTokens = Math.min(
      permissionBurst,
      permissionTokens + ((now - permissionRefilledAt) / 1000) * permissionsPerSecond,
    );
    permissionRefilledAt = now;
    if (permissionTokens < 1) return false;
    permissionTokens -= 1;
    return true;
  };

  const settleCall = (id: number, settle: (call: PendingCall) => void): void => {
    const call = pending.get(id);
    if (call === undefined) {
      // A late answer to a call the host gave up on is expected; anything else is a lie.
      if (abandoned.delete(id)) return;
      violate(`it answered call ${id}, which was not made or was already answered`);
      return;
    }
    pending.delete(id);
    call.finish();
    settle(call);
  };

  const handle = (message: PluginMessage): void => {
    switch (message.type) {
      case 'result':
        settleCall(message.id, (call) => call.resolve(message.value));
        return;
      case 'error':
        settleCall(message.id, (call) => call.reject(rebuildError(message.error)));
        return;
      case 'permission':
        if (!takePermissionToken()) {
          violate('it flooded the host with permission events');
          return;
        }
        reportPermission(message.capability, message.target, message.allowed);
        return;
      case 'booted':
        if (booted || settled) {
          violate('it reported its start twice');
          return;
        }
        booted = true;
        clearTimeout(loadTimer);
        loadTimer = setTimeout(() => {
          fail(
            new PluginError(
              'TIMEOUT',
              `plugin "${pluginId}" took longer than ${defaultTimeoutMs} ms to load`,
            ),
          );
        }, defaultTimeoutMs);
        return;
      case 'ready':
        if (!booted || settled) {
          violate('it reported being ready out of order');
          return;
        }
        ready = true;
        methods = new Set(message.methods);
        settleLoad();
        return;
      case 'load-failed': {
        if (!booted || settled) {
          violate('it reported a load failure out of order');
          return;
        }
        const cause = rebuildError(message.error);
        const error = PluginError.is(cause)
          ? cause
          : new PluginError('LOAD_FAILED', `plugin "${pluginId}" failed to load: ${cause.message}`, {
              cause,
            });
        failure = error;
        void channel?.terminate();
        settleLoad(error);
        return;
      }
    }
  };

  const receive = (raw: unknown): void => {
    if (failure !== undefined || disposed) {
      // Permission events still queued when the plugin ended (a denial that ended its load races
      // the load failure) belong in the audit trail; nothing else is taken any more.
      const late = parsePluginMessage(raw, parseOptions);
      if (late.ok && late.message.type === 'permission' && takePermissionToken()) {
        reportPermission(late.message.capability, late.message.target, late.message.allowed);
      }
      return;
    }
    const parsed = parsePluginMessage(raw, parseOptions);
    if (!parsed.ok) {
      violate(parsed.reason);
      return;
    }
    // Before the load settles only start-up messages and permission events are expected.
    if (!ready && (parsed.message.type === 'result' || parsed.message.type === 'error')) {
      violate('it answered a call before it was ready');
      return;
    }
    handle(parsed.message);
  };

  const notRunning = (): PluginError =>
    disposed
      ? new PluginError(crashCode, `plugin "${pluginId}" has been unloaded`)
      : new PluginError(crashCode, `plugin "${pluginId}" is not running: ${failure?.message}`, {
          cause: failure,
        });

  const send = (
    method: string,
    args: readonly unknown[],
    callOptions: PluginCallOptions,
    optional: boolean,
  ): Promise<unknown> => {
    if (disposed || failure !== undefined || channel === undefined) return Promise.reject(notRunning());
    const { signal } = callOptions;
    if (signal?.aborted) {
      return Promise.reject(new PluginError('ABORTED', `${method}() was aborted`, { cause: signal.reason }));
    }
    const id = nextCallId++;
    const timeoutMs = callOptions.timeoutMs ?? defaultTimeoutMs;
    const target = channel;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        if (!pending.delete(id)) return;
        finish();
        abandoned.add(id);
        if (abandoned.size > maximumAbandoned) abandoned.delete(abandoned.values().next().value as number);
        reject(new PluginError('ABORTED', `${method}() was aborted`, { cause: signal?.reason }));
      };
      const deadline: Deadline = {
        at: performance.now() + timeoutMs,
        expire() {
          const timeout = new PluginError(
            'TIMEOUT',
            `plugin "${pluginId}": ${method}() took longer than ${timeoutMs} ms; its ${noun} was ended`,
            { details: { pluginId, method, timeoutMs } },
          );
          fail(timeout, (callId) =>
            callId === id
              ? timeout
              : new PluginError(crashCode, `plugin "${pluginId}" was ended: ${timeout.message}`, {
                  cause: timeout,
                }),
          );
        },
      };
      const finish = (): void => {
        callDeadlines.remove(deadline);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, { resolve, reject, finish });
      callDeadlines.add(deadline);
      try {
        target.send({ id, method, args, optional });
      } catch (error) {
        pending.delete(id);
        finish();
        reject(
          new PluginError(
            'INVALID_ARGUMENT',
            `the arguments of ${method}() cannot be sent to an isolated plugin`,
            {
              cause: error,
            },
          ),
        );
      }
    });
  };

  const host: PluginHost = {
    instance: createInstanceProxy({
      hasMethod: (name) => methods.has(name),
      call: (name, args) => send(name, args, {}, false),
    }),
    sandbox: options.layers,
    hasMethod: (name) => methods.has(name),
    callHook(hook: LifecycleHook, callOptions: PluginCallOptions = {}): Promise<void> {
      if (failure === undefined && !disposed && !methods.has(hook)) return Promise.resolve();
      return send(hook, [], callOptions, true).then(() => undefined);
    },
    call: (method, args, callOptions = {}) => send(method, args, callOptions, false),
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      for (const call of pending.values()) {
        call.finish();
        call.reject(new PluginError(crashCode, `plugin "${pluginId}" was unloaded during the call`));
      }
      pending.clear();
      await channel?.terminate();
    },
  };

  // Starting the runtime and installing its policy is bounded separately from the plugin's own
  // load (importing and instantiating it), which counts against max_execution_time_seconds.
  loadTimer = setTimeout(() => {
    fail(
      new PluginError(
        crashCode,
        `the ${noun} of plugin "${pluginId}" did not start within ${bootTimeoutMs} ms`,
      ),
    );
  }, bootTimeoutMs);

  return {
    ready: readyPromise,
    receive,
    fail,
    attach(attached: PluginChannel): void {
      channel = attached;
    },
    get failed(): boolean {
      return failure !== undefined;
    },
  };
}
