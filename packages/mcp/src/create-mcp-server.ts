import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createSdkServer } from './create-sdk-server';
import { listMcpTools, type McpTool } from './list-mcp-tools';
import type { McpServerOptions } from './mcp-server-options';
import type { McpPluginSource } from './plugin-source';

/** An MCP server whose tools are the capabilities of the active plugins of a source. */
export interface McpPluginServer {
  /** The SDK's server, for hosts that add handlers of their own; prefer `connect` and `close`. */
  readonly server: Server;
  /**
   * Connects to one transport (stdio, Streamable HTTP, in-memory) and starts following the
   * source: each change of its capabilities sends `notifications/tools/list_changed`.
   */
  connect(transport: Transport): Promise<void>;
  /** The tools as `tools/list` returns them now. */
  listTools(): Promise<McpTool[]>;
  /** Stops following the source and closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates an MCP server that offers the capabilities of the active plugins of `source` (a
 * `PluginLoader`) as tools, and keeps the list live. Calls go through `source.invoke`, so schema
 * validation, time limits and sandboxing apply; a failing call becomes a tool error, never a
 * crashed server. One server serves one connection; create one per client.
 *
 * @example
 * const loader = new PluginLoader({ pluginDirectory: './plugins' });
 * // ... discover, load and activate plugins ...
 * const mcp = createMcpServer(loader, { excludeCapabilities: ['delete*'] });
 * await mcp.connect(new StdioServerTransport());
 */
export function createMcpServer(source: McpPluginSource, options: McpServerOptions = {}): McpPluginServer {
  const reportError = (error: unknown): void => {
    try {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A failing error reporter must not take the server down either.
    }
  };
  const server = createSdkServer(source, options, reportError);
  const debounceMs = options.listChangedDebounceMs ?? 20;
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const notifyToolListChanged = (): void => {
    timer = undefined;
    if (!server.transport) return;
    server.sendToolListChanged().catch(reportError);
  };
  const stopFollowing = (): void => {
    unsubscribe?.();
    unsubscribe = undefined;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  server.onclose = stopFollowing;

  return {
    server,
    async connect(transport) {
      stopFollowing();
      unsubscribe = source.on('capabilitiesChanged', () => {
        if (debounceMs <= 0) return notifyToolListChanged();
        // Not reset by later changes, so a steady stream of changes still notifies every window.
        timer ??= setTimeout(notifyToolListChanged, debounceMs);
      });
      try {
        await server.connect(transport);
      } catch (error) {
        stopFollowing();
        throw error;
      }
    },
    listTools: () => listMcpTools(source, options),
    async close() {
      stopFollowing();
      await server.close();
    },
  };
}
