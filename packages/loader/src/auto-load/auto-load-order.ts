/** A plugin to order for auto-load: its priority and the plugins (of the same set) it needs first. */
export interface AutoLoadCandidate {
  pluginId: string;
  priority: number;
  dependsOn: readonly string[];
}

/** The auto-load order, and the plugins left out because they sit on a dependency cycle. */
export interface AutoLoadOrder {
  order: string[];
  cyclic: string[];
}

/**
 * Orders plugins so that each comes after the plugins it depends on (dependencies outside the set
 * are ignored); among the plugins ready at each step, higher `priority` first, then plugin id.
 */
export function orderForAutoLoad(candidates: readonly AutoLoadCandidate[]): AutoLoadOrder {
  const byId = new Map(candidates.map((candidate) => [candidate.pluginId, candidate]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const candidate of candidates) {
    const inside = [...new Set(candidate.dependsOn)].filter(
      (id) => byId.has(id) && id !== candidate.pluginId,
    );
    waitingOn.set(candidate.pluginId, inside.length);
    for (const dependency of inside) {
      const list = dependents.get(dependency) ?? [];
      list.push(candidate.pluginId);
      dependents.set(dependency, list);
    }
  }
  const ready = candidates.filter((candidate) => waitingOn.get(candidate.pluginId) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort(
      (left, right) => right.priority - left.priority || left.pluginId.localeCompare(right.pluginId),
    );
    const next = ready.shift()!;
    order.push(next.pluginId);
    for (const dependent of dependents.get(next.pluginId) ?? []) {
      const remaining = (waitingOn.get(dependent) ?? 0) - 1;
      waitingOn.set(dependent, remaining);
      if (remaining === 0) ready.push(byId.get(dependent)!);
    }
  }
  const placed = new Set(order);
  const cyclic = candidates.map((candidate) => candidate.pluginId).filter((id) => !placed.has(id));
  return { order, cyclic };
}
