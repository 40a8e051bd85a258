import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { PluginError } from '@agentplug/models';
import type {
  LifecycleHook,
  PermissionEvent,
  PluginCallOptions,
  PluginHost,
  PluginHostOptions,
} from '../host/plugin-host';
import { createInstanceProxy } from './create-instance-proxy';
import { locateWorkerBootstrap } from './locate-worker-bootstrap';
import { rebuildError } from './rebuild-error';
import type { CallMessage, PermissionMessage, WorkerMessage } from './worker-protocol';

/** How long starting a worker and installing its policy may take. */
const bootTimeoutMs = 30_000;

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  finish: () => void;
}

/** The environment a worker starts with: only the declared variables the host has. */
function selectEnvironment(declared: readonly string[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of declared) {
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}

/** Turns a worker's `error` event into the error pending calls reject with. */
function classifyWorkerError(pluginId: string, error: unknown): PluginError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new PluginError('OUT_OF_MEMORY', `plugin "${pluginId}" ran out of its memory limit`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PluginError('WORKER_CRASHED', `plugin "${pluginId}" crashed: ${message}`, { cause: error });
}

/**
 * Starts a plugin in its own `worker_threads` worker with its permission policy installed before
 * any plugin code runs, and returns the host the loader drives it through. Calls and hooks cross a
 * MessageChannel with a per-call time limit (`sandbox.max_execution_time_seconds` or the call's
 * `timeoutMs`); the worker's old generation is capped at `sandbox.max_memory_mb`. A timeout, an
 * out-of-memory, `process.exit`, an uncaught exception or an unhandled rejection ends only this
 * worker: pending calls reject and `onCrash` is called once.
 *
 * @throws PluginError LOAD_FAILED (cause: the plugin's error), ENTRY_INVALID, PERMISSION_DENIED
 *   (the entry module touched something undeclared), TIMEOUT, OUT_OF_MEMORY, WORKER_CRASHED
 * @example
 * const host = await createWorkerHost({ pluginId, pluginPath, entryModulePath, metadata, config, permissions, sandbox });
 * await host.callHook('initialize');
 * const greeting = await (host.instance as { greet(name: string): Promise<string> }).greet('Ada');
 * await host.dispose();
 */
export function createWorkerHost(options: PluginHostOptions): Promise<PluginHost> {
  const { pluginId, sandbox } = options;
  const defaultTimeoutMs = Math.max(1, Math.round(sandbox.max_execution_time_seconds * 1000));
  const callChannel = new MessageChannel();
  const auditChannel = new MessageChannel();
  const hostPort: MessagePort = callChannel.port1;
  const worker = new Worker(locateWorkerBootstrap(), {
    workerData: {
      pluginId,
      pluginPath: options.pluginPath,
      entryModulePath: options.entryModulePath,
      metadata: options.metadata,
      config: options.config,
      permissions: options.permissions,
      callPort: callChannel.port2,
      auditPort: auditChannel.port2,
    },
    transferList: [callChannel.port2, auditChannel.port2],
    env: selectEnvironment(options.permissions.environment_variables ?? []),
    resourceLimits: { maxOldGenerationSizeMb: sandbox.max_memory_mb },
    // The host's flags (--import tsx, --inspect, loaders) are not the plugin's: start it clean.
    execArgv: [],
  });

  const pending = new Map<number, PendingCall>();
  let nextCallId = 1;
  let methods = new Set<string>();
  let ready = false;
  let disposed = false;
  let failure: PluginError | undefined;
  let settleLoad: ((error?: Error) => void) | undefined;
  let startLoadTimer: (() => void) | undefined;

  const reportPermission = (message: PermissionMessage): void => {
    if (options.onPermissionEvent === undefined) return;
    const event: PermissionEvent = {
      pluginId,
      capability: message.capability,
      target: message.target,
      allowed: message.allowed,
      at: new Date(),
    };
    try {
      options.onPermissionEvent(event);
    } catch {
      // A failing listener must not break the plugin's channel.
    }
  };

  /**
   * Terminates the worker, then reports the permission events still queued on the ports (a
   * denial that ended the load races the load failure) and closes them.
   */
  const terminate = async (): Promise<void> => {
    await worker.terminate();
    for (const port of [hostPort, auditChannel.port1]) {
      for (
        let queued = receiveMessageOnPort(port);
        queued !== undefined;
        queued = receiveMessageOnPort(port)
      ) {
        const message = queued.message as WorkerMessage;
        if (message.type === 'permission') reportPermission(message);
      }
      port.close();
    }
  };

  /** Ends the worker for good: rejects every pending call, reports the crash once. */
  const fail = (error: PluginError, rejectWith: (call: number) => Error = () => error): void => {
    if (failure !== undefined || disposed) return;
    failure = error;
    for (const [id, call] of pending) {
      call.finish();
      call.reject(rejectWith(id));
    }
    pending.clear();
    void terminate();
    if (!ready) {
      settleLoad?.(error);
      return;
    }
    try {
      options.onCrash?.(error);
    } catch {
      // The host's crash handler failing must not escape into the worker's event handlers.
    }
  };

  hostPort.on('message', (message: WorkerMessage) => {
    switch (message.type) {
      case 'result': {
        const call = pending.get(message.id);
        if (call === undefined) return;
        pending.delete(message.id);
        call.finish();
        call.resolve(message.value);
        return;
      }
      case 'error': {
        const call = pending.get(message.id);
        if (call === undefined) return;
        pending.delete(message.id);
        call.finish();
        call.reject(rebuildError(message.error));
        return;
      }
      case 'permission':
        reportPermission(message);
        return;
      case 'booted':
        startLoadTimer?.();
        return;
      case 'ready':
        ready = true;
        methods = new Set(message.methods);
        settleLoad?.();
        return;
      case 'load-failed': {
        const cause = rebuildError(message.error);
        const error = PluginError.is(cause)
          ? cause
          : new PluginError('LOAD_FAILED', `plugin "${pluginId}" failed to load: ${cause.message}`, {
              cause,
            });
        failure = error;
        void terminate();
        settleLoad?.(error);
        return;
      }
    }
  });
  auditChannel.port1.on('message', reportPermission);
  worker.on('error', (error) => fail(classifyWorkerError(pluginId, error)));
  worker.on('exit', (exitCode) => {
    fail(
      new PluginError('WORKER_CRASHED', `plugin "${pluginId}" exited with code ${exitCode}`, {
        details: { exitCode },
      }),
    );
  });

  const send = (
    method: string,
    args: readonly unknown[],
    callOptions: PluginCallOptions,
    optional: boolean,
  ): Promise<unknown> => {
    if (disposed) {
      return Promise.reject(new PluginError('WORKER_CRASHED', `plugin "${pluginId}" has been unloaded`));
    }
    if (failure !== undefined) {
      return Promise.reject(
        new PluginError('WORKER_CRASHED', `plugin "${pluginId}" is not running: ${failure.message}`, {
          cause: failure,
        }),
      );
    }
    const { signal } = callOptions;
    if (signal?.aborted) {
      return Promise.reject(new PluginError('ABORTED', `${method}() was aborted`, { cause: signal.reason }));
    }
    const id = nextCallId++;
    const timeoutMs = callOptions.timeoutMs ?? defaultTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        pending.delete(id);
        finish();
        reject(new PluginError('ABORTED', `${method}() was aborted`, { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        const timeout = new PluginError(
          'TIMEOUT',
          `plugin "${pluginId}": ${method}() took longer than ${timeoutMs} ms; its worker was terminated`,
          { details: { pluginId, method, timeoutMs } },
        );
        fail(timeout, (callId) =>
          callId === id
            ? timeout
            : new PluginError('WORKER_CRASHED', `plugin "${pluginId}" was terminated: ${timeout.message}`, {
                cause: timeout,
              }),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, { resolve, reject, finish });
      const message: CallMessage = { id, method, args, optional };
      try {
        hostPort.postMessage(message);
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
        call.reject(new PluginError('WORKER_CRASHED', `plugin "${pluginId}" was unloaded during the call`));
      }
      pending.clear();
      await terminate();
    },
  };

  return new Promise<PluginHost>((resolve, reject) => {
    // Starting a worker and installing its policy is bounded separately from the plugin's own
    // load (importing and instantiating it), which counts against max_execution_time_seconds.
    let loadTimer = setTimeout(() => {
      fail(
        new PluginError(
          'WORKER_CRASHED',
          `the worker of plugin "${pluginId}" did not start within ${bootTimeoutMs} ms`,
        ),
      );
    }, bootTimeoutMs);
    startLoadTimer = (): void => {
      clearTimeout(loadTimer);
      loadTimer = setTimeout(() => {
        fail(
          new PluginError('TIMEOUT', `plugin "${pluginId}" took longer than ${defaultTimeoutMs} ms to load`),
        );
      }, defaultTimeoutMs);
    };
    settleLoad = (error?: Error): void => {
      settleLoad = undefined;
      startLoadTimer = undefined;
      clearTimeout(loadTimer);
      if (error === undefined) resolve(host);
      else reject(error);
    };
  });
}
