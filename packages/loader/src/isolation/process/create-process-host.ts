import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PluginError, type SandboxLayers } from '@agentplug/models';
import type { PluginHost, PluginHostOptions } from '../../host/plugin-host';
import { createChannelHost } from '../create-channel-host';
import { locateProcessRuntime } from '../locate-worker-runtime';
import { expandDeclaredPaths } from '../runtime/permission-policy.mjs';
import { selectEnvironment } from '../select-environment';
import { type AllowListProxy, startAllowListProxy } from './allow-list-proxy';
import { buildProcessCommand } from './build-process-command';
import { hasControllingTerminal } from './controlling-terminal';
import { detectOsSandbox, type OsSandboxStatus } from './detect-os-sandbox';
import { encodeFrame, FrameDecoder } from './frame-codec';

const defaultCpuTimeLimitSeconds = 3_600;
/** V8, the C library's per-thread arenas and the code space reserve far more than they use. */
const addressSpaceHeadroomMb = 4_096;
const stderrTailBytes = 8_192;
const outOfMemory = /JavaScript heap out of memory|Reached heap limit|Allocation failed|std::bad_alloc/;

function signalName(
  code: number | null,
  signal: NodeJS.Signals | null,
  sandboxed: boolean,
): string | undefined {
  if (signal !== null) return signal;
  // bubblewrap reports a child killed by a signal as exit code 128 + the signal number.
  if (sandboxed && code !== null && code > 128 && code < 128 + 65) {
    const number = code - 128;
    for (const [name, value] of Object.entries(constants.signals)) if (value === number) return name;
  }
  return undefined;
}

/** Turns how a plugin process ended into the error its pending calls and the loader see. */
function classifyExit(options: {
  pluginId: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  sandboxed: boolean;
  stderrTail: string;
  cpuTimeLimitSeconds: number;
}): PluginError {
  const { pluginId, code, stderrTail } = options;
  const signal = signalName(code, options.signal, options.sandboxed);
  // The plugin's last words (an uncaught error's first line), as it wrote them: informative only.
  const lastError = /^(?:\w*Error|Uncaught)\b.*$/m
    .exec(stderrTail.split('\n').slice(-40).join('\n'))?.[0]
    ?.slice(0, 300);
  const said = lastError === undefined ? '' : `: ${lastError}`;
  const details = {
    pluginId,
    exitCode: code,
    signal: signal ?? null,
    ...(lastError === undefined ? {} : { stderr: lastError }),
  };
  if (outOfMemory.test(stderrTail)) {
    return new PluginError('OUT_OF_MEMORY', `plugin "${pluginId}" ran out of its memory limit`, { details });
  }
  if (signal === 'SIGXCPU') {
    return new PluginError(
      'PROCESS_CRASHED',
      `plugin "${pluginId}" used up its CPU time limit (${options.cpuTimeLimitSeconds} s over its life) and was ended by the OS`,
      { details: { ...details, reason: 'cpu_time_limit' } },
    );
  }
  if (signal !== undefined) {
    return new PluginError('PROCESS_CRASHED', `plugin "${pluginId}" was killed by ${signal}${said}`, {
      details: { ...details, reason: signal === 'SIGABRT' ? 'native_abort' : 'signal' },
    });
  }
  return new PluginError('PROCESS_CRASHED', `plugin "${pluginId}" exited with code ${code}${said}`, {
    details: { ...details, reason: 'exit' },
  });
}

/** Plugin outputs paused until the host's standard error drains; one listener resumes them all. */
const pausedOutputs = new Set<NodeJS.ReadableStream>();

/** Forwards a child's output to the host's standard error, pausing when it is not read fast enough. */
function forwardOutput(stream: NodeJS.ReadableStream, onChunk?: (chunk: Buffer) => void): void {
  stream.on('data', (chunk: Buffer) => {
    onChunk?.(chunk);
    if (process.stderr.write(chunk)) return;
    stream.pause();
    if (pausedOutputs.size === 0) {
      process.stderr.once('drain', () => {
        for (const paused of pausedOutputs) paused.resume();
        pausedOutputs.clear();
      });
    }
    pausedOutputs.add(stream);
  });
}

/**
 * Starts a plugin in its own child process (`isolation: "process"`) and returns the host the
 * loader drives it through. The process runs under Node's permission model (reads: the runtime,
 * the plugin folder and the declared paths; writes: the declared write paths; no child processes,
 * workers, addons or WASI), with the worker tier's policy inside as a second layer, only the
 * declared environment variables, a V8 heap limit of `max_memory_mb`, and OS limits on CPU seconds
 * and address space. Where bubblewrap works (checked at run time) it also runs in its own mount,
 * PID, IPC and network namespaces, seeing only those paths and reaching declared hosts only
 * through the host's allow-list proxy. `host.sandbox` says which layers are active. A call past its
 * time limit kills the process; every message from it is untrusted input.
 *
 * @throws PluginError SANDBOX_UNAVAILABLE (`requireOsSandbox` without a working bubblewrap),
 *   LOAD_FAILED, ENTRY_INVALID, PERMISSION_DENIED, TIMEOUT, OUT_OF_MEMORY, PROCESS_CRASHED,
 *   PROTOCOL_VIOLATION
 * @example
 * const host = await createProcessHost({ ...hostOptions, processSandbox: { requireOsSandbox: true } });
 * console.log(host.sandbox); // { isolation: 'process', process: true, permissionModel: true, policy: true, os: true, network: 'proxy' }
 */
export async function createProcessHost(options: PluginHostOptions): Promise<PluginHost> {
  const { pluginId, pluginPath, permissions, sandbox } = options;
  const settings = options.processSandbox ?? {};
  const status: OsSandboxStatus =
    settings.osSandbox === 'off'
      ? { available: false, reason: 'the host turned the OS sandbox off' }
      : await detectOsSandbox(settings.bubblewrapPath);
  if (!status.available && settings.requireOsSandbox === true) {
    throw new PluginError(
      'SANDBOX_UNAVAILABLE',
      `plugin "${pluginId}" was not started: this host requires the OS sandbox, and ${status.reason}`,
      { details: { pluginId, reason: status.reason } },
    );
  }
  const layers: SandboxLayers = Object.freeze({
    isolation: 'process',
    process: true,
    permissionModel: true,
    policy: true,
    os: status.available,
    network: status.available ? 'proxy' : 'policy',
  });
  const readPaths = expandDeclaredPaths(permissions.filesystem_read, pluginPath);
  const writePaths = expandDeclaredPaths(permissions.filesystem_write, pluginPath);
  const bubblewrapPath = status.available ? status.bubblewrapPath : undefined;
  // Declared write folders that do not exist yet are created (a bind needs something to bind,
  // and the plugin then finds the same folders with or without the OS layer).
  for (const path of writePaths) if (!existsSync(path)) mkdirSync(path, { recursive: true });
  const reportNetwork = (target: string, allowed: boolean): void => {
    try {
      options.onPermissionEvent?.({ pluginId, capability: 'network', target, allowed, at: new Date() });
    } catch {
      // A failing listener must not break the proxy.
    }
  };
  let proxy: AllowListProxy | undefined;
  if (bubblewrapPath !== undefined && (permissions.network_hosts ?? []).length > 0) {
    proxy = await startAllowListProxy({
      networkHosts: permissions.network_hosts ?? [],
      onDecision: reportNetwork,
    });
  }
  const cpuTimeLimitSeconds = settings.cpuTimeLimitSeconds ?? defaultCpuTimeLimitSeconds;
  const bootstrapUrl = await locateProcessRuntime();
  const command = buildProcessCommand({
    bootstrapPath: fileURLToPath(bootstrapUrl),
    runtimeFolder: fileURLToPath(new URL('.', bootstrapUrl)),
    pluginPath,
    readPaths,
    writePaths,
    maxMemoryMb: sandbox.max_memory_mb,
    cpuTimeLimitSeconds,
    addressSpaceLimitMb: settings.addressSpaceLimitMb ?? sandbox.max_memory_mb + addressSpaceHeadroomMb,
    bubblewrapPath,
    proxySocketPath: proxy?.socketPath,
    // Without a terminal there is nothing to push input into; the host's session keeps the plugin
    // in the host's scheduling group, so calls are not slowed by wake-ups across groups.
    newSession: hasControllingTerminal(),
  });

  const channelHost = createChannelHost({
    host: options,
    layers,
    values: 'copied',
    noun: 'process',
    crashCode: 'PROCESS_CRASHED',
  });
  let child: ChildProcess;
  try {
    child = spawn(command.file, command.args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: selectEnvironment(permissions.environment_variables ?? []),
      cwd: pluginPath,
      windowsHide: true,
    });
  } catch (error) {
    await proxy?.close();
    throw new PluginError('PROCESS_CRASHED', `plugin "${pluginId}": its process could not be started`, {
      cause: error,
    });
  }
  const channel = child.stdio[3] as Socket;
  let stderrTail = '';
  let exited: Promise<void> | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const terminate = (): Promise<void> => {
    exited ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
      channel.destroy();
      await proxy?.close();
    })();
    return exited;
  };
  channelHost.attach({
    send(message) {
      channel.write(encodeFrame(message));
    },
    terminate,
  });
  const decoder = new FrameDecoder({
    onMessage: (message) => channelHost.receive(message),
    onViolation: (reason) =>
      channelHost.fail(
        new PluginError('PROTOCOL_VIOLATION', `plugin "${pluginId}" was ended: ${reason}`, {
          details: { pluginId, reason },
        }),
      ),
  });
  channel.on('data', (chunk: Buffer) => decoder.push(chunk));
  channel.on('error', () => undefined);
  if (child.stdout !== null) forwardOutput(child.stdout);
  if (child.stderr !== null) {
    forwardOutput(child.stderr, (chunk) => {
      stderrTail = `${stderrTail}${chunk.toString('utf8')}`.slice(-stderrTailBytes);
    });
  }
  child.on('error', (error) => {
    channelHost.fail(
      new PluginError(
        'PROCESS_CRASHED',
        `plugin "${pluginId}": its process could not be started: ${error.message}`,
        {
          cause: error,
        },
      ),
    );
  });
  child.on('exit', (code, signal) => {
    // The last words on standard error (an out-of-memory report) may still be on their way.
    const classify = (): void =>
      channelHost.fail(
        classifyExit({
          pluginId,
          code,
          signal,
          sandboxed: bubblewrapPath !== undefined,
          stderrTail,
          cpuTimeLimitSeconds,
        }),
      );
    if (child.stderr === null || child.stderr.readableEnded) classify();
    else {
      const timer = setTimeout(classify, 200);
      child.stderr.once('end', () => {
        clearTimeout(timer);
        classify();
      });
    }
    void terminate();
  });
  channel.write(
    encodeFrame({
      type: 'setup',
      pluginId,
      pluginPath,
      entryModulePath: options.entryModulePath,
      metadata: options.metadata,
      config: options.config,
      permissions,
      proxySocketPath: proxy?.socketPath,
    }),
  );
  return channelHost.ready;
}
