import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { type FakeBuiltModel, fakeModel } from '@langchain/core/testing';

/** A tool result as the model reads it. */
export interface SeenToolResult {
  name: string;
  status: string;
  content: string;
}

/** What the scripted model answers at one step. */
export interface ChatReply {
  toolCalls?: { name: string; args: Record<string, unknown> }[];
  text?: string;
}

/**
 * LangChain's own fake chat model (`fakeModel()` from `@langchain/core/testing`), answering each
 * step from a script that reads the results of the previous step's tool calls. Records them.
 */
export function createScriptedChatModel(script: readonly ((toolResults: SeenToolResult[]) => ChatReply)[]): {
  model: FakeBuiltModel;
  seen: SeenToolResult[][];
} {
  const seen: SeenToolResult[][] = [];
  const model = fakeModel();
  let callCount = 0;
  for (const step of script) {
    model.respond((messages: BaseMessage[]) => {
      const lastAssistant = messages.findLastIndex((message) => AIMessage.isInstance(message));
      const toolResults = messages
        .slice(lastAssistant + 1)
        .filter((message): message is ToolMessage => ToolMessage.isInstance(message))
        .map((message) => ({
          name: message.name ?? '',
          status: message.status ?? 'success',
          content: message.text,
        }));
      seen.push(toolResults);
      const reply = step(toolResults);
      return new AIMessage({
        content: reply.text ?? '',
        tool_calls: (reply.toolCalls ?? []).map((call) => {
          callCount += 1;
          return { ...call, id: `call-${callCount}`, type: 'tool_call' as const };
        }),
      });
    });
  }
  return { model, seen };
}
