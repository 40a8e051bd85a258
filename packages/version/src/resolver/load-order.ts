/** A load order, or the first dependency cycle found. */
export type LoadOrderResult = { readonly order: string[] } | { readonly cycle: string[] };

/**
 * Orders plugins so that dependencies come before dependents (depth-first from the root, in
 * declaration order), or names a cycle ("a -> b -> a").
 */
export function computeLoadOrder(
  rootId: string,
  edges: ReadonlyMap<string, readonly string[]>,
): LoadOrderResult {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  let cycle: string[] | undefined;
  const visit = (node: string): void => {
    if (cycle !== undefined) return;
    const current = state.get(node);
    if (current === 'done') return;
    if (current === 'visiting') {
      cycle = [...path.slice(path.indexOf(node)), node];
      return;
    }
    state.set(node, 'visiting');
    path.push(node);
    for (const next of edges.get(node) ?? []) visit(next);
    path.pop();
    state.set(node, 'done');
    order.push(node);
  };
  visit(rootId);
  return cycle === undefined ? { order } : { cycle };
}
