import { resolveDependenciesSync } from '../src/index';
import { type Figure, medianMilliseconds } from './measure';

/** 500 versions of a plugin that each depend on a plugin that does not exist: must fail fast and briefly. */
export async function benchPathological(): Promise<Figure[]> {
  const available = Array.from({ length: 500 }, (_, index) => ({
    plugin_id: 'com.bench.many',
    version: `${1 + Math.floor(index / 100)}.${index % 100}.0`,
    dependencies: [{ plugin_id: 'com.bench.nowhere', version_constraint: '^1.0.0' }],
  }));
  const root = { dependencies: [{ plugin_id: 'com.bench.many', version_constraint: '*' }] };
  const result = resolveDependenciesSync(root, available);
  if (result.ok) throw new Error('the pathological registry must not resolve');
  const median = await medianMilliseconds(() => resolveDependenciesSync(root, available), {
    runs: 15,
    warmup: 3,
  });
  return [
    {
      name: 'pathological: 500 versions on a missing plugin, time to fail (median)',
      value: median,
      unit: 'ms',
    },
    { name: 'pathological: explanation length', value: result.explanation.split('\n').length, unit: 'lines' },
  ];
}
