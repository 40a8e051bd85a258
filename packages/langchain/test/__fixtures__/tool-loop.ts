import { type AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { FakeBuiltModel } from '@langchain/core/testing';
import type { StructuredToolInterface } from '@langchain/core/tools';

/** How one run of the tool-calling loop went. */
export interface ToolLoopRun {
  /** The final answer's text. */
  text: string;
  /** The names of the tools bound to the model at each step. */
  offered: string[][];
  messages: BaseMessage[];
}

/**
 * LangChain's tool-calling loop, as its docs write it: at each step bind the model to the tools
 * (read afresh, so a live toolkit's changes show), invoke it, run each tool call it made with
 * `tool.invoke(toolCall)` and append the ToolMessages, until it answers without tool calls.
 */
export async function runToolLoop(options: {
  model: FakeBuiltModel;
  getTools: () => StructuredToolInterface[];
  /** Runs after the model replied and before its tool calls run. */
  beforeToolCalls?: (step: number) => Promise<void>;
  /** Runs after a step's tool calls, before the next step. */
  afterStep?: (step: number) => Promise<void>;
  signal?: AbortSignal;
  maxSteps?: number;
}): Promise<ToolLoopRun> {
  const messages: BaseMessage[] = [new HumanMessage('Use the plugin tools.')];
  const offered: string[][] = [];
  const config = options.signal ? { signal: options.signal } : {};
  for (let step = 0; step < (options.maxSteps ?? 8); step += 1) {
    const tools = options.getTools();
    offered.push(tools.map((tool) => tool.name));
    const reply = (await options.model.bindTools(tools).invoke(messages, config)) as AIMessage;
    messages.push(reply);
    const toolCalls = reply.tool_calls ?? [];
    if (toolCalls.length === 0) return { text: reply.text, offered, messages };
    await options.beforeToolCalls?.(step);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const call of toolCalls) {
      const tool = byName.get(call.name);
      messages.push(
        tool
          ? ((await tool.invoke({ ...call, type: 'tool_call' }, config)) as ToolMessage)
          : new ToolMessage({
              status: 'error',
              tool_call_id: call.id ?? '',
              content: `No tool named ${call.name}`,
            }),
      );
    }
    await options.afterStep?.(step);
  }
  throw new Error('the loop did not finish');
}
