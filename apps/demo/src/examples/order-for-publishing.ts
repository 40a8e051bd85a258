import type { ExamplePlugin } from './find-example-plugins';

/**
 * Orders example plugins so that every plugin comes after the plugins it depends on (a
 * marketplace refuses a plugin whose dependencies it cannot yet provide), keeping the input
 * order among plugins that do not depend on each other.
 */
export function orderForPublishing(examples: readonly ExamplePlugin[]): ExamplePlugin[] {
  const ordered: ExamplePlugin[] = [];
  const placed = new Set<string>();
  let pending = [...examples];
  while (pending.length > 0) {
    const ready = pending.filter((example) =>
      (example.manifest.dependencies ?? []).every(
        (dependency) =>
          placed.has(dependency.plugin_id) ||
          !pending.some((other) => other !== example && other.manifest.plugin_id === dependency.plugin_id),
      ),
    );
    // A cycle among the examples: publish the rest as they are and let the marketplace explain.
    const next = ready.length > 0 ? ready : pending;
    for (const example of next) {
      ordered.push(example);
      placed.add(example.manifest.plugin_id);
    }
    pending = pending.filter((example) => !next.includes(example));
  }
  return ordered;
}
