import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { PluginLoader } from '@agentplug/loader';
import { type IsolationMode, PluginError, type PluginValidatorLike, type RiskLevel } from '@agentplug/models';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { activatePluginDirectory } from './activate-plugin-directory';
import { createMcpServer } from './create-mcp-server';
import { describeFailure } from './describe-failure';
import { followPluginDirectories } from './follow-plugin-directories';
import type { McpServerOptions } from './mcp-server-options';
import { serveMcpOverHttp } from './serve-mcp-over-http';

/** Options of {@link runMcpPluginServer}. */
export interface McpPluginServerOptions extends McpServerOptions {
  /** The folder whose plugin folders are served (or several folders). Each must exist and be readable. */
  pluginDirectory: string | readonly string[];
  /**
   * The tier every plugin runs in (`none`, `worker`, ...), over what its config.json says. Default:
   * each plugin's config.json, else `none`.
   */
  isolation?: IsolationMode;
  /** Plugins whose validation risk level is above this are refused. Default `high`. */
  maxRiskLevel?: RiskLevel;
  /** Validates each plugin before it loads (`@agentplug/validator`'s `PluginValidator`). Default: none. */
  validator?: PluginValidatorLike;
  /**
   * Follow the plugin folders: a changed plugin is reloaded, an added folder is loaded and activated,
   * a removed one is unloaded; clients hear `list_changed`. Default false.
   */
  watch?: boolean;
  /** The runtime version plugins are checked against. */
  runtimeVersion?: string;
  /** Serve Streamable HTTP on this interface and port instead of stdio. */
  http?: { host?: string; port?: number };
  /** Where progress and every failure (with its code) are written. Default: standard error. */
  log?: (message: string) => void;
  /** Stops the server, as closing standard input (stdio) or a signal (HTTP) does. */
  signal?: AbortSignal;
  /** The stream MCP messages are read from (stdio). Default: standard input. */
  stdin?: Readable;
  /** The stream MCP messages are written to (stdio). Default: standard output. */
  stdout?: Writable;
}

/**
 * Checks that every plugin directory exists, is a folder and can be listed.
 * @throws PluginError INVALID_ARGUMENT naming the folder
 */
async function checkPluginDirectories(directories: readonly string[]): Promise<void> {
  for (const directory of directories) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(directory)).isDirectory();
      if (isFolder) await access(directory, constants.R_OK | constants.X_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      throw new PluginError('INVALID_ARGUMENT', `the plugin folder ${directory} ${reason}`, {
        cause: error,
        details: { directory },
      });
    }
    if (!isFolder) {
      throw new PluginError('INVALID_ARGUMENT', `the plugin folder ${directory} is not a folder`, {
        details: { directory },
      });
    }
  }
}

function waitForStop(signal: AbortSignal | undefined, stdin: Readable | undefined): Promise<string> {
  return new Promise((resolveStop) => {
    if (signal?.aborted) return resolveStop('stopped by its signal');
    signal?.addEventListener('abort', () => resolveStop('stopped by its signal'), { once: true });
    stdin?.once('end', () => resolveStop('standard input closed'));
    stdin?.once('close', () => resolveStop('standard input closed'));
    if (signal === undefined && stdin === undefined) {
      process.once('SIGINT', () => resolveStop('stopped by SIGINT'));
      process.once('SIGTERM', () => resolveStop('stopped by SIGTERM'));
    }
  });
}

/**
 * Serves the plugins of one or more folders to MCP clients, over stdio (default) or Streamable
 * HTTP, until standard input closes or `signal` aborts: checks the folders exist, loads, validates
 * and activates every plugin (a broken one is logged with its code and left out), logs every failed
 * reload or crash with its code, and with `watch` follows the folders. What `agentplug mcp` and
 * `agentplug-mcp` run.
 *
 * @throws PluginError INVALID_ARGUMENT when a plugin folder is missing or unreadable (nothing is served)
 * @example
 * await runMcpPluginServer({ pluginDirectory: './plugins', validator: new PluginValidator(), isolation: 'worker', watch: true });
 */
export async function runMcpPluginServer(options: McpPluginServerOptions): Promise<void> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[agentplug-mcp] ${message}\n`));
  const directories = (
    typeof options.pluginDirectory === 'string' ? [options.pluginDirectory] : [...options.pluginDirectory]
  ).map((directory) => resolve(directory));
  await checkPluginDirectories(directories);
  const loader = new PluginLoader({
    pluginDirectory: directories,
    watch: options.watch ?? false,
    runtimeVersion: options.runtimeVersion,
    validator: options.validator,
    defaultIsolation: options.isolation,
    maxRiskLevel: options.maxRiskLevel,
  });
  const serverOptions: McpServerOptions = {
    ...options,
    onError: options.onError ?? ((error) => log(`error: ${describeFailure(error)}`)),
  };
  const stopListening = [
    loader.on('reload', (event) => {
      if (!event.ok) {
        log(`reload of ${event.pluginId} failed: ${describeFailure(event.error)}`);
        return;
      }
      // A plugin whose first load failed comes back LOADED once its files are fixed: serve it too.
      if (loader.getPluginState(event.pluginId)?.status === 'loaded') {
        loader
          .activatePlugin(event.pluginId)
          .then(() => log(`serving ${event.pluginId} again`))
          .catch((error: unknown) => log(`skipped ${event.pluginId}: ${describeFailure(error)}`));
      }
    }),
    loader.on('stateChange', (event) => {
      // A load that fails is logged by the activation; here, a running plugin that failed (a crash).
      if (event.to === 'failed' && event.from !== 'loading') {
        log(`${event.pluginId} failed: ${describeFailure(event.error)}`);
      }
    }),
  ];
  let follow: ReturnType<typeof followPluginDirectories> | undefined;
  try {
    await activatePluginDirectory(loader, { log, isolation: options.isolation });
    if (options.watch)
      follow = followPluginDirectories(loader, { directories, isolation: options.isolation, log });
    if (options.signal?.aborted) return;
    if (options.http === undefined) {
      const stdin = options.stdin ?? process.stdin;
      const mcp = createMcpServer(loader, serverOptions);
      const stopped = waitForStop(options.signal, stdin);
      await mcp.connect(new StdioServerTransport(stdin, options.stdout ?? process.stdout));
      const reason = await stopped;
      await mcp.close();
      log(`stopped: ${reason}`);
      return;
    }
    const http = await serveMcpOverHttp(loader, { ...serverOptions, ...options.http });
    log(`MCP endpoint: ${http.url}`);
    const reason = await waitForStop(options.signal, undefined);
    await http.close();
    log(`stopped: ${reason}`);
  } finally {
    follow?.close();
    await follow?.settled();
    for (const stop of stopListening) stop();
    await loader.close();
  }
}
