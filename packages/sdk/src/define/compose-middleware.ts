import { PluginError } from '@agentplug/models';
import type { MiddlewareHandle, MiddlewareNext } from './define-middleware';

/** The parts of a loader `PluginState` that `composeMiddleware` reads. */
export interface MiddlewareState {
  metadata: { plugin_id: string; plugin_type: string };
  status: string;
  config: { priority: number };
  instance: unknown;
}

/** Options of {@link composeMiddleware}. */
export interface ComposeMiddlewareOptions<Value, Result> {
  /** Runs after the last middleware calls `next`; without it, `next` resolves to the value itself. */
  final?: (value: Value) => Result | Promise<Result>;
}

/** The composed chain: call it with a request value. */
export type MiddlewareChain<Value, Result> = (value: Value) => Promise<Result>;

function hasHandle(instance: unknown): instance is { handle: MiddlewareHandle } {
  return (
    typeof instance === 'object' &&
    instance !== null &&
    typeof (instance as { handle?: unknown }).handle === 'function'
  );
}

/**
 * Chains the active middleware plugins of a host (for example `loader.listPlugins({ type:
 * 'middleware' })`) into one function. Only ACTIVE middleware with a `handle` method take part;
 * higher `config.priority` runs first (outermost), ties by plugin id. The list is read once, so
 * compose again after plugins are activated or deactivated.
 *
 * @throws PluginError INVALID_ARGUMENT (from the chain) when a middleware calls `next` twice
 * @example
 * const run = composeMiddleware(loader.listPlugins({ type: 'middleware' }), { final: (request) => answer(request) });
 * const response = await run({ prompt: 'hello' });
 */
export function composeMiddleware<Value = unknown, Result = unknown>(
  states: readonly MiddlewareState[],
  options: ComposeMiddlewareOptions<Value, Result> = {},
): MiddlewareChain<Value, Result> {
  const chain = states
    .filter(
      (state) =>
        state.status === 'active' && state.metadata.plugin_type === 'middleware' && hasHandle(state.instance),
    )
    .sort(
      (left, right) =>
        right.config.priority - left.config.priority ||
        left.metadata.plugin_id.localeCompare(right.metadata.plugin_id),
    )
    .map((state) => ({
      pluginId: state.metadata.plugin_id,
      handle: (state.instance as { handle: MiddlewareHandle<Value, Result> }).handle,
    }));

  return (value: Value) => {
    const dispatch = async (index: number, current: Value): Promise<Result> => {
      const link = chain[index];
      if (link === undefined) {
        return options.final ? options.final(current) : (current as unknown as Result);
      }
      let called = false;
      const next: MiddlewareNext<Value, Result> = (nextValue) => {
        if (called) {
          return Promise.reject(
            new PluginError('INVALID_ARGUMENT', `middleware ${link.pluginId} called next() more than once`, {
              details: { pluginId: link.pluginId },
            }),
          );
        }
        called = true;
        return dispatch(index + 1, nextValue === undefined ? current : nextValue);
      };
      return link.handle(current, next);
    };
    return dispatch(0, value);
  };
}
