import type { LanguageModelV3CallOptions, LanguageModelV3Content } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';

/** What the scripted model sees at one step: the tools offered, the results it got back. */
export interface AgentTurn {
  toolNames: string[];
  toolResults: { toolName: string; type: string; value: unknown }[];
}

/** What it answers: tool calls, or a final text. */
export interface AgentReply {
  toolCalls?: { toolName: string; input: unknown }[];
  text?: string;
}

/**
 * A scripted stand-in for a real model, built on the AI SDK's own `MockLanguageModelV3`: at each
 * step it reads the tools it is offered and the tool results it got, and answers from the script.
 * No network; a real host passes its provider's model instead.
 */
export function createScriptedLanguageModel(
  script: readonly ((turn: AgentTurn) => AgentReply)[],
): MockLanguageModelV3 {
  let step = 0;
  let callCount = 0;
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      const reply = script[step]?.(readTurn(options)) ?? { text: '(the script has ended)' };
      step += 1;
      const content: LanguageModelV3Content[] = (reply.toolCalls ?? []).map((call) => {
        callCount += 1;
        return {
          type: 'tool-call' as const,
          toolCallId: `call-${callCount}`,
          toolName: call.toolName,
          input: JSON.stringify(call.input),
        };
      });
      if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
      return {
        content,
        finishReason: {
          unified: content.some((part) => part.type === 'tool-call') ? 'tool-calls' : 'stop',
          raw: undefined,
        },
        usage: {
          inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 0, text: 0, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
}

function readTurn(options: LanguageModelV3CallOptions): AgentTurn {
  const lastAssistant = options.prompt.findLastIndex((message) => message.role === 'assistant');
  const toolResults: AgentTurn['toolResults'] = [];
  for (const message of options.prompt.slice(lastAssistant + 1)) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const output = part.output as { type: string; value?: unknown };
      toolResults.push({ toolName: part.toolName, type: output.type, value: output.value });
    }
  }
  return { toolNames: (options.tools ?? []).map((tool) => tool.name), toolResults };
}
