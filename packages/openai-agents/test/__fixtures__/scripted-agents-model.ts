import type { AgentOutputItem, ModelRequest } from '@openai/agents';
import { assistantMessage, functionCall, modelResponder, ScriptedModel } from '@openai/agents/testing';

/** A tool result as the model reads it. */
export interface SeenToolResult {
  name: string;
  output: string;
}

/** What the model was given at one turn. */
export interface AgentTurn {
  /** The function tools offered at this turn: name and strict mode. */
  tools: { name: string; strict: boolean }[];
  /** The results of the previous turn's tool calls. */
  toolResults: SeenToolResult[];
}

/** What the scripted model answers at one turn. */
export interface AgentReply {
  toolCalls?: { name: string; args: Record<string, unknown> }[];
  text?: string;
}

/**
 * The Agents SDK's own test model (`ScriptedModel` from `@openai/agents/testing`), answering each
 * turn from a script that reads what it was offered and the previous turn's tool results.
 */
export function createScriptedAgentsModel(script: readonly ((turn: AgentTurn) => AgentReply)[]): {
  model: ScriptedModel;
  turns: AgentTurn[];
} {
  const turns: AgentTurn[] = [];
  const answered = new Set<string>();
  let callCount = 0;
  const model = new ScriptedModel(
    script.map((step) =>
      modelResponder((call) => {
        const turn = readTurn(call.request, answered);
        turns.push(turn);
        const reply = step(turn);
        const output: AgentOutputItem[] = (reply.toolCalls ?? []).map((toolCall) => {
          callCount += 1;
          return functionCall(toolCall.name, toolCall.args, { callId: `call-${callCount}` });
        });
        if (reply.text !== undefined) output.push(assistantMessage(reply.text));
        return output;
      }),
    ),
  );
  return { model, turns };
}

function readTurn(request: Readonly<ModelRequest>, answered: Set<string>): AgentTurn {
  const tools = request.tools
    .filter((tool) => tool.type === 'function')
    .map((tool) => ({ name: tool.name, strict: (tool as { strict?: boolean }).strict === true }));
  const toolResults: SeenToolResult[] = [];
  for (const item of typeof request.input === 'string' ? [] : request.input) {
    if (item.type !== 'function_call_result' || answered.has(item.callId)) continue;
    answered.add(item.callId);
    const output: unknown = item.output;
    const text =
      typeof output === 'string'
        ? output
        : (output as { type?: string }).type === 'text'
          ? String((output as { text?: unknown }).text)
          : JSON.stringify(output);
    toolResults.push({ name: item.name, output: text });
  }
  return { tools, toolResults };
}
