import type { ToolFilterOptions } from '@agentplug/models';

/** Which plugins and capabilities the server offers: the filter every agentplug tool surface shares. */
export type McpToolFilterOptions = ToolFilterOptions;

/** What the audit hook sees of each tool call, after it finished. */
export interface McpToolCallEvent {
  /** The MCP tool name. */
  tool: string;
  pluginId: string;
  capability: string;
  /** Size of the call's arguments as UTF-8 JSON, in bytes. */
  argumentsBytes: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  /** The PluginError code, when the call failed with one (`INVALID_PARAMS`, `TIMEOUT`, ...). */
  errorCode?: string;
}

/** Options of {@link createMcpServer}. */
export interface McpServerOptions extends McpToolFilterOptions {
  /** The server name announced to clients. Default `agentplug`. */
  name?: string;
  /** The server version announced to clients. Default: this package's version. */
  version?: string;
  /** Instructions announced to clients, which many show to the model. */
  instructions?: string;
  /** A time limit for each tool call, in milliseconds, on top of each plugin's own sandbox limit. */
  callTimeoutMs?: number;
  /** Audit hook: called once per tool call with what was called and how it went. Its errors go to `onError`. */
  onToolCall?: (event: McpToolCallEvent) => void;
  /**
   * How long to gather capability changes into one `notifications/tools/list_changed`, in
   * milliseconds, counted from the first change. Default 20; 0 sends one per change.
   */
  listChangedDebounceMs?: number;
  /** Problems the server survives (an audit hook that threw, a notification that failed). Default: ignored. */
  onError?: (error: Error) => void;
}
