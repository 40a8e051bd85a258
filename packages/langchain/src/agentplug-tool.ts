import {
  formatToolError,
  formatToolValue,
  PluginError,
  type ToolDescriptor,
  type ToolSource,
} from '@agentplug/models';
import type { CallbackManagerForToolRun } from '@langchain/core/callbacks/manager';
import { ToolMessage } from '@langchain/core/messages';
import {
  StructuredTool,
  type StructuredToolCallInput,
  ToolInputParsingException,
  type ToolReturnType,
  type ToolRunnableConfig,
  type ToolSchemaBase,
} from '@langchain/core/tools';

/**
 * A plugin capability as a LangChain `StructuredTool`: its schema is the capability's JSON
 * Schema (so `bindTools` offers it to any chat model), and a call goes through `source.invoke`,
 * so the loader validates the arguments and the plugin's sandbox and limits apply, with the
 * run's abort signal and the time limit. Called with a tool call (as agents do), a failure comes
 * back as a `ToolMessage` with `status: "error"` whose text is the code, the message and the
 * hint; the loop goes on. Called with bare arguments, or when the run's signal aborted it, it
 * throws the `PluginError` (`ABORTED` for an abort). The result is
 * text: strings as they are, anything else as JSON.
 */
export class AgentplugTool extends StructuredTool<ToolSchemaBase, unknown, unknown, string | ToolMessage> {
  override readonly name: string;
  override readonly description: string;
  override readonly schema: ToolSchemaBase;
  /** The capability behind the tool. */
  readonly descriptor: ToolDescriptor;
  private readonly source: ToolSource;
  private readonly timeoutMs: number;
  /** The options of a call without a signal, built once: the same object every time. */
  private readonly limits: { readonly timeoutMs: number };

  constructor(source: ToolSource, descriptor: ToolDescriptor, timeoutMs: number) {
    super({
      verboseParsingErrors: true,
      metadata: {
        agentplug: {
          pluginId: descriptor.pluginId,
          capability: descriptor.capability,
          capabilityVersion: descriptor.capabilityVersion,
        },
      },
    });
    this.name = descriptor.name;
    this.description = descriptor.description;
    this.schema = descriptor.inputSchema as ToolSchemaBase;
    this.descriptor = descriptor;
    this.source = source;
    this.timeoutMs = timeoutMs;
    this.limits = Object.freeze({ timeoutMs });
  }

  /** Like `StructuredTool.invoke`; arguments LangChain's own schema check refuses become an INVALID_PARAMS tool error too. */
  override async invoke<
    TInput extends StructuredToolCallInput<ToolSchemaBase, unknown>,
    TConfig extends ToolRunnableConfig | undefined,
  >(input: TInput, config?: TConfig): Promise<ToolReturnType<TInput, TConfig, string | ToolMessage>> {
    try {
      return await super.invoke(input, config);
    } catch (error) {
      if (!(error instanceof ToolInputParsingException)) throw error;
      // LangChain checks JSON Schema arguments itself (with @cfworker/json-schema) before the call;
      // its verdict is told to the model with the same code and hint as the loader's own check.
      const { pluginId, capability } = this.descriptor;
      const issues = error.message
        .split('\n')
        .map((line) => line.replace(/^Details: /, '').trim())
        .filter((line) => line.startsWith('#/'));
      const invalid = new PluginError(
        'INVALID_PARAMS',
        `invalid params for ${pluginId}.${capability} (checked by LangChain):\n${issues.map((issue) => `  ${issue}`).join('\n')}`,
        { details: { pluginId, capability, issues } },
      );
      const toolCallId = toolCallIdOf(input, config);
      if (toolCallId === undefined) throw invalid;
      return this.toolError(invalid, toolCallId) as ToolReturnType<TInput, TConfig, string | ToolMessage>;
    }
  }

  protected override async _call(
    input: unknown,
    _runManager?: CallbackManagerForToolRun,
    config?: ToolRunnableConfig,
  ): Promise<string | ToolMessage> {
    const { pluginId, capability } = this.descriptor;
    let value: unknown;
    try {
      const signal = config?.signal;
      value = await this.source.invoke(
        pluginId,
        capability,
        input,
        signal === undefined ? this.limits : { timeoutMs: this.timeoutMs, signal },
      );
    } catch (error) {
      const toolCallId = config?.toolCall?.id;
      // A cancelled run is not a tool failure to tell the model about: the abort propagates.
      if (toolCallId === undefined || config?.signal?.aborted) throw error;
      // A ToolMessage is passed through as the tool's output: the model reads the error, the loop goes on.
      return this.toolError(error, toolCallId);
    }
    return formatToolValue(value);
  }

  private toolError(error: unknown, toolCallId: string): ToolMessage {
    return new ToolMessage({
      status: 'error',
      content: formatToolError(error),
      tool_call_id: toolCallId,
      name: this.name,
      // Not sent to the model: the host finds the original error (and its code) here.
      artifact: error,
    });
  }
}

function toolCallIdOf(input: unknown, config: ToolRunnableConfig | undefined): string | undefined {
  if (typeof input === 'object' && input !== null && (input as { type?: unknown }).type === 'tool_call') {
    const id = (input as { id?: unknown }).id;
    if (typeof id === 'string') return id;
  }
  return config?.toolCall?.id;
}
