import { type PluginVersionRecord, resolveDependencies } from '../src/index';
import { createRandom, type Figure, medianMilliseconds } from './measure';

const PLUGINS = 1_000;
const VERSIONS_PER_PLUGIN = 20;

/**
 * A deterministic registry: 1,000 plugins with 20 versions each (4 majors of 5 minors); each
 * version depends on 0 to 4 later plugins (a DAG, like real layering), mostly on the newest
 * major with a caret, sometimes on an older major or a lower bound, so some conflicts force
 * backtracking. The root depends on 30 plugins near the top.
 */
export function createSyntheticRegistry(seed: number): {
  root: { dependencies: { plugin_id: string; version_constraint: string }[] };
  available: PluginVersionRecord[];
} {
  const random = createRandom(seed);
  const id = (index: number) => `com.bench.plugin-${index}`;
  const available: PluginVersionRecord[] = [];
  for (let plugin = 0; plugin < PLUGINS; plugin += 1) {
    for (let index = 0; index < VERSIONS_PER_PLUGIN; index += 1) {
      const major = 1 + Math.floor(index / 5);
      const minor = index % 5;
      const fanOut = plugin >= PLUGINS - 5 ? 0 : Math.floor(random() * 5);
      const targets = new Set<number>();
      for (let count = 0; count < fanOut; count += 1) {
        targets.add(plugin + 1 + Math.floor(random() * Math.min(60, PLUGINS - plugin - 1)));
      }
      const dependencies = [...targets].map((target) => {
        const roll = random();
        const constraint =
          roll < 0.75 ? '^4.0.0' : roll < 0.9 ? `>=${1 + Math.floor(random() * 3)}.0.0` : '^3.2.0';
        return { plugin_id: id(target), version_constraint: constraint };
      });
      available.push({ plugin_id: id(plugin), version: `${major}.${minor}.0`, dependencies });
    }
  }
  const root = {
    dependencies: Array.from({ length: 30 }, (_, index) => ({
      plugin_id: id(index * 3),
      version_constraint: '*',
    })),
  };
  return { root, available };
}

/** Median time to resolve the synthetic registry, async API, list source, whole run each time. */
export async function benchResolveRegistry(): Promise<Figure[]> {
  const { root, available } = createSyntheticRegistry(7);
  const result = await resolveDependencies(root, available, { runtimeVersion: '1.0.0' });
  if (!result.ok) throw new Error(`the synthetic registry should resolve:\n${result.explanation}`);
  const median = await medianMilliseconds(
    () => resolveDependencies(root, available, { runtimeVersion: '1.0.0' }),
    {
      runs: 15,
      warmup: 3,
    },
  );
  // CPU time is printed beside wall time: on a shared, loaded machine wall time mostly measures the queue.
  const cpuTimes: number[] = [];
  for (let run = 0; run < 15; run += 1) {
    const before = process.cpuUsage();
    await resolveDependencies(root, available, { runtimeVersion: '1.0.0' });
    const used = process.cpuUsage(before);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  cpuTimes.sort((left, right) => left - right);
  return [
    { name: 'resolve 1000 plugins x 20 versions (median)', value: median, unit: 'ms' },
    { name: 'resolve 1000 plugins x 20 versions, CPU time (median)', value: cpuTimes[7]!, unit: 'ms' },
    {
      name: 'resolve 1000 plugins x 20 versions: plugins selected',
      value: result.order.length,
      unit: 'plugins',
    },
  ];
}
