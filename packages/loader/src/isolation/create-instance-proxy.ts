/** What the instance proxy needs from its host. */
export interface InstanceProxyOptions {
  hasMethod: (name: string) => boolean;
  call: (name: string, args: readonly unknown[]) => Promise<unknown>;
}

/**
 * Creates the async stand-in for an isolated plugin's instance: each method the worker reported
 * is a function returning a promise of the call's result. It is not thenable (`then` is undefined,
 * so `await proxy` yields the proxy) and has no other properties.
 */
export function createInstanceProxy(options: InstanceProxyOptions): object {
  const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      if (typeof property !== 'string' || property === 'then' || !options.hasMethod(property))
        return undefined;
      let method = cache.get(property);
      if (method === undefined) {
        method = (...args: unknown[]) => options.call(property, args);
        cache.set(property, method);
      }
      return method;
    },
    has(_target, property) {
      return typeof property === 'string' && property !== 'then' && options.hasMethod(property);
    },
    set() {
      return false;
    },
  });
}
