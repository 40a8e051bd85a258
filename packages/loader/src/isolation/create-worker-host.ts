import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { PluginError, type SandboxLayers } from '@agentplug/models';
import type { PluginHost, PluginHostOptions } from '../host/plugin-host';
import { createChannelHost } from './create-channel-host';
import { locateWorkerRuntime } from './locate-worker-runtime';
import { selectEnvironment } from './select-environment';

/** The layers of the worker tier: the in-realm policy, in a thread of the host's process. */
const workerLayers: SandboxLayers = Object.freeze({
  isolation: 'worker',
  process: false,
  permissionModel: false,
  policy: true,
  os: false,
  network: 'policy',
});

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
 * worker: pending calls reject and `onCrash` is called once. Every message from the worker is
 * checked (see createChannelHost); results are decoded from bytes into the host's own copy.
 *
 * @throws PluginError LOAD_FAILED (cause: the plugin's error), ENTRY_INVALID, PERMISSION_DENIED
 *   (the entry module touched something undeclared), TIMEOUT, OUT_OF_MEMORY, WORKER_CRASHED,
 *   PROTOCOL_VIOLATION
 * @example
 * const host = await createWorkerHost({ pluginId, pluginPath, entryModulePath, metadata, config, permissions, sandbox });
 * await host.callHook('initialize');
 * const greeting = await (host.instance as { greet(name: string): Promise<string> }).greet('Ada');
 * await host.dispose();
 */
export async function createWorkerHost(options: PluginHostOptions): Promise<PluginHost> {
  const { pluginId, sandbox } = options;
  const entry = await locateWorkerRuntime();
  const channelHost = createChannelHost({
    host: options,
    layers: workerLayers,
    values: 'encoded',
    noun: 'worker',
    crashCode: 'WORKER_CRASHED',
  });
  const callChannel = new MessageChannel();
  const auditChannel = new MessageChannel();
  const hostPort: MessagePort = callChannel.port1;
  const worker = new Worker(entry, {
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

  /**
   * Takes the messages still queued on the ports, synchronously: those `accept` keeps go to the
   * channel host, as if they had been dispatched.
   */
  const takeQueued = (accept: (message: unknown) => boolean): void => {
    for (const port of [hostPort, auditChannel.port1]) {
      for (
        let queued = receiveMessageOnPort(port);
        queued !== undefined;
        queued = receiveMessageOnPort(port)
      ) {
        if (accept(queued.message)) channelHost.receive(queued.message);
      }
    }
  };
  let terminated: Promise<void> | undefined;
  /**
   * Terminates the worker, then takes the permission events still queued on the ports (a denial
   * that ended the load races the load failure) and closes them.
   */
  const terminate = (): Promise<void> => {
    terminated ??= (async () => {
      await worker.terminate();
      takeQueued((message) => {
        const typed = message as { type?: unknown } | null;
        return typed !== null && typeof typed === 'object' && typed.type === 'permission';
      });
      hostPort.close();
      auditChannel.port1.close();
    })();
    return terminated;
  };
  /**
   * Ends the plugin after a crash. What it sent before crashing still counts: a reply posted just
   * before an uncaught exception can still be queued when the worker's error event arrives.
   */
  const crash = (error: PluginError): void => {
    takeQueued(() => true);
    channelHost.fail(error);
  };
  channelHost.attach({
    send(message) {
      hostPort.postMessage(message);
    },
    terminate,
  });

  hostPort.on('message', (message: unknown) => channelHost.receive(message));
  auditChannel.port1.on('message', (message: unknown) => channelHost.receive(message));
  worker.on('error', (error) => crash(classifyWorkerError(pluginId, error)));
  worker.on('exit', (exitCode) => {
    crash(
      new PluginError('WORKER_CRASHED', `plugin "${pluginId}" exited with code ${exitCode}`, {
        details: { exitCode },
      }),
    );
  });
  return channelHost.ready;
}
