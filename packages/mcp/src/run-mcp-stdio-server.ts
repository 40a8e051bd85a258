import type { Readable, Writable } from 'node:stream';
import type { PluginValidatorLike } from '@agentplug/models';
import type { McpServerOptions } from './mcp-server-options';
import { runMcpPluginServer } from './run-mcp-plugin-server';

/** Options of {@link runMcpStdioServer}. */
export interface McpStdioServerOptions extends McpServerOptions {
  /** The folder whose plugin folders are loaded and activated (or several folders). */
  pluginDirectory: string | readonly string[];
  /** Follow the folders: reload changed plugins, load added ones, unload removed ones. Default false. */
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
 * to load is logged with its code and left out; the others are served. {@link runMcpPluginServer}
 * with stdio.
 *
 * @throws PluginError INVALID_ARGUMENT when a plugin folder is missing or unreadable
 * @example
 * await runMcpStdioServer({ pluginDirectory: './plugins', excludeCapabilities: ['delete*'] });
 */
export function runMcpStdioServer(options: McpStdioServerOptions): Promise<void> {
  return runMcpPluginServer(options);
}
