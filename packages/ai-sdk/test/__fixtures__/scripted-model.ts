import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';

/** A tool result as the model reads it in its prompt. */
export interface SeenToolResult {
  toolName: string;
  /** `text`, `json`, `error-text`, ... */
  type: string;
  value: unknown;
}

/** What the model was given at one step. */
export interface ModelTurn {
  /** The names of the tools offered at this step, in the order given. */
  toolNames: string[];
  /** The results of the previous step's tool calls. */
  toolResults: SeenToolResult[];
}

/** What the scripted model answers at one step: tool calls, or a final text. */
export interface ModelReply {
  toolCalls?: { toolName: string; input: unknown }[];
  text?: string;
}

/** One scripted step: reads the turn, answers. */
export type ScriptStep = (turn: ModelTurn) => ModelReply;

/**
 * The AI SDK's own mock language model (`MockLanguageModelV3` from `ai/test`, which both the
 * current and the previous major of `ai` ship), answering each step from a script. It records
 * every turn, so a test asserts what the model was offered and what it read.
 */
export function createScriptedModel(script: readonly ScriptStep[]): {
  model: MockLanguageModelV3;
  turns: ModelTurn[];
} {
  const turns: ModelTurn[] = [];
  let callCount = 0;
  const answer = (options: LanguageModelV3CallOptions): LanguageModelV3Content[] => {
    const turn = readTurn(options);
    turns.push(turn);
    const step = script[turns.length - 1];
    if (!step) throw new Error(`the script has no step ${turns.length}`);
    const reply = step(turn);
    const content: LanguageModelV3Content[] = [];
    for (const call of reply.toolCalls ?? []) {
      callCount += 1;
      content.push({
        type: 'tool-call',
        toolCallId: `call-${callCount}`,
        toolName: call.toolName,
        input: JSON.stringify(call.input),
      });
    }
    if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
    return content;
  };
  const finish = (content: LanguageModelV3Content[]) => ({
    finishReason: {
      unified: content.some((part) => part.type === 'tool-call')
        ? ('tool-calls' as const)
        : ('stop' as const),
      raw: undefined,
    },
    usage: {
      inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 5, text: 5, reasoning: undefined },
    },
  });
  const model = new MockLanguageModelV3({
    doGenerate: async (options) => {
      const content = answer(options);
      return { content, ...finish(content), warnings: [] };
    },
    doStream: async (options) => {
      const content = answer(options);
      const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      for (const part of content) {
        if (part.type === 'text') {
          parts.push(
            { type: 'text-start', id: 'text' },
            { type: 'text-delta', id: 'text', delta: part.text },
          );
          parts.push({ type: 'text-end', id: 'text' });
        } else if (part.type === 'tool-call') {
          parts.push(part);
        }
      }
      parts.push({ type: 'finish', ...finish(content) });
      return { stream: convertArrayToReadableStream(parts) };
    },
  });
  return { model, turns };
}

function readTurn(options: LanguageModelV3CallOptions): ModelTurn {
  const toolNames = (options.tools ?? []).map((tool) => tool.name);
  const lastAssistant = options.prompt.findLastIndex((message) => message.role === 'assistant');
  const toolResults: SeenToolResult[] = [];
  for (const message of options.prompt.slice(lastAssistant + 1)) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const output = part.output as { type: string; value?: unknown };
      toolResults.push({ toolName: part.toolName, type: output.type, value: output.value });
    }
  }
  return { toolNames, toolResults };
}
