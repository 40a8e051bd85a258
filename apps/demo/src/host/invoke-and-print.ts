import type { PluginLoader } from '@agentplug/loader';
import type { DemoOutput } from '../output/demo-output';
import { describeError } from '../run-demo';
import { formatValue } from './format-value';

/** One capability call the demo makes and prints. */
export interface DemoInvocation {
  pluginId: string;
  capability: string;
  params: Record<string, unknown>;
}

/** What one printed invocation returned or threw. */
export interface InvocationOutcome {
  ok: boolean;
  result?: unknown;
  error?: unknown;
}

/**
 * Invokes a capability through the loader (params checked against its JSON Schema) and prints
 * `plugin.capability(params) -> result`, or the error with its code; never throws.
 */
export async function invokeAndPrint(
  loader: PluginLoader,
  output: DemoOutput,
  invocation: DemoInvocation,
): Promise<InvocationOutcome> {
  const shortId = invocation.pluginId.replace(/^com\.example\./, '');
  const call = `${shortId}.${invocation.capability}(${formatValue(invocation.params, 60)})`;
  try {
    const result = await loader.invoke(invocation.pluginId, invocation.capability, invocation.params);
    output.line(`${call} -> ${formatValue(result)}`);
    return { ok: true, result };
  } catch (error) {
    output.line(`${call} -> refused: ${describeError(error).split('\n').join(' ')}`);
    return { ok: false, error };
  }
}
