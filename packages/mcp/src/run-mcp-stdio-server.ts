import type { Readable, Writable } from 'node:stream';
import { PluginLoader } from '@agentplug/loader';
import type { PluginValidatorLike } from '@agentplug/models';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { activatePluginDirectory } from './activate-plugin-directory';
import { createMcpServer } from './create-mcp-server';
import type { McpServerOptions } from './mcp-server-options';

/** Options of {@link runMcpStdioServer}. */
export interface McpStdioServerOptions extends McpServerOptions {
  /** The folder whose plugin folders are loaded and activated (or several folders). */
  pluginDirectory: string | readonly string[];
  /** Hot-reload a plugin when its files change. Default false. */
  watch?: boolean;
  /** The runtime version plugins are checked against. */
  runtimeVersion?: string;
  /** Validates each plugin before it loads (such as `@agentplug/validator`'s `PluginValidator`). */
  validator?: PluginValidatorLike;
  /** Where progress and problems are written. Default: standard error (standard output carries the protocol). */
  log?: (message: string) => void;
  /** Stops the server, as closing standard input does. */
  signal?: AbortSignal;
  /** The stream MCP messages are read from. Default: standard input. */
  stdin?: Readable;
  /** The stream MCP messages are written to. Default: standard output. */
  stdout?: Writable;
}

/**
 * Loads and activates every plugin in a folder and serves them over stdio until standard input
 * closes (or `signal` aborts); then closes the server and unloads the plugins. A plugin that fails
 * to load is logged and left out; the others are served.
 *
 * @example
 * await runMcpStdioServer({ pluginDirectory: './plugins', excludeCapabilities: ['delete*'] });
 */
export async function runMcpStdioServer(options: McpStdioServerOptions): Promise<void> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[agentplug-mcp] ${message}\n`));
  const stdin = options.stdin ?? process.stdin;
  const loader = new PluginLoader({
    pluginDirectory: options.pluginDirectory,
    watch: options.watch ?? false,
    runtimeVersion: options.runtimeVersion,
    validator: options.validator,
  });
  try {
    await activatePluginDirectory(loader, log);
    if (options.signal?.aborted) return;
    const mcp = createMcpServer(loader, {
      ...options,
      onError: options.onError ?? ((error) => log(`error: ${error.message}`)),
    });
    const stopped = new Promise<string>((resolve) => {
      stdin.once('end', () => resolve('standard input closed'));
      stdin.once('close', () => resolve('standard input closed'));
      options.signal?.addEventListener('abort', () => resolve('stopped by its signal'), { once: true });
    });
    await mcp.connect(new StdioServerTransport(stdin, options.stdout ?? process.stdout));
    const reason = await stopped;
    await mcp.close();
    log(`stopped: ${reason}`);
  } finally {
    await loader.close();
  }
}
