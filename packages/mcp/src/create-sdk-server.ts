import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { listMcpTools } from './list-mcp-tools';
import type { McpServerOptions, McpToolCallEvent } from './mcp-server-options';
import { MCP_PACKAGE_VERSION } from './package-version';
import type { McpPluginSource } from './plugin-source';
import { createToolErrorReport, createToolResult } from './tool-result';

/**
 * Builds the SDK server with the tools/list and tools/call handlers. The low-level `Server` is
 * used on purpose: `McpServer` registers tools one by one with zod schemas, while ours are JSON
 * Schemas from manifests and change whenever a plugin does.
 */
export function createSdkServer(
  source: McpPluginSource,
  options: McpServerOptions,
  reportError: (error: unknown) => void,
): Server {
  const server = new Server(
    { name: options.name ?? 'agentplug', version: options.version ?? MCP_PACKAGE_VERSION },
    {
      capabilities: { tools: { listChanged: true } },
      ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await listMcpTools(source, options);
    return {
      tools: tools.map((tool) => ({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        _meta: {
          'agentplug/pluginId': tool.pluginId,
          'agentplug/capability': tool.capability,
          'agentplug/capabilityVersion': tool.capabilityVersion,
        },
      })),
    };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    // Looked up afresh, so a tool whose plugin was deactivated or filtered out cannot be called.
    const tool = (await listMcpTools(source, options)).find((candidate) => candidate.name === name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name}": no active plugin capability has this name; list the tools again.`,
      );
    }
    const parameters = request.params.arguments ?? {};
    const started = performance.now();
    let result: CallToolResult;
    let errorCode: string | undefined;
    try {
      const value = await source.invoke(tool.pluginId, tool.capability, parameters, {
        signal: extra.signal,
        ...(options.callTimeoutMs === undefined ? {} : { timeoutMs: options.callTimeoutMs }),
      });
      result = createToolResult(value);
    } catch (error) {
      const report = createToolErrorReport(error);
      result = report.result;
      errorCode = report.errorCode;
    }
    if (options.onToolCall) {
      const event: McpToolCallEvent = {
        tool: name,
        pluginId: tool.pluginId,
        capability: tool.capability,
        argumentsBytes: Buffer.byteLength(JSON.stringify(parameters)),
        durationMs: performance.now() - started,
        outcome: result.isError ? 'error' : 'ok',
        ...(errorCode === undefined ? {} : { errorCode }),
      };
      try {
        options.onToolCall(event);
      } catch (error) {
        reportError(error);
      }
    }
    return result;
  });

  return server;
}
