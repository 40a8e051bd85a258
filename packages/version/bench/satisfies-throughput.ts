import { satisfies } from 'semver';
import { satisfiesConstraint } from '../src/index';
import { createRandom, type Figure, operationsPerSecond } from './measure';

/** satisfiesConstraint against raw semver.satisfies(string, string) on the same pairs, in the same run. */
export function benchSatisfiesThroughput(): Figure[] {
  const random = createRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const version = () =>
    `${Math.floor(random() * 5)}.${Math.floor(random() * 10)}.${Math.floor(random() * 10)}`;
  const constraints = Array.from({ length: 200 }, () => {
    const base = version();
    return pick([
      `^${base}`,
      `~${base}`,
      `>=${base} <${Number(base[0]) + 1}.0.0`,
      `${base[0]}.x`,
      `>=${base}`,
      base,
    ]);
  });
  const versions = Array.from({ length: 100 }, () => (random() < 0.1 ? `${version()}-beta.1` : version()));
  const pairs = Array.from({ length: 5_000 }, () => [pick(versions), pick(constraints)] as const);

  let agree = 0;
  for (const [candidate, constraint] of pairs) {
    if (satisfiesConstraint(candidate, constraint) === satisfies(candidate, constraint)) agree += 1;
  }
  if (agree !== pairs.length)
    throw new Error(`satisfiesConstraint disagrees with semver on ${pairs.length - agree} pairs`);

  let sink = 0;
  const raw = () => {
    for (const [candidate, constraint] of pairs) if (satisfies(candidate, constraint)) sink += 1;
  };
  const ours = () => {
    for (const [candidate, constraint] of pairs) if (satisfiesConstraint(candidate, constraint)) sink += 1;
  };
  raw();
  ours();
  // Alternate the two so drift on a shared machine hits both alike.
  let baseline = 0;
  let value = 0;
  for (let round = 0; round < 3; round += 1) {
    baseline += operationsPerSecond(raw, { callsPerAction: pairs.length, milliseconds: 700 });
    value += operationsPerSecond(ours, { callsPerAction: pairs.length, milliseconds: 700 });
  }
  if (sink < 0) console.log(sink);
  return [
    {
      name: 'satisfiesConstraint throughput vs raw semver.satisfies (speed-up)',
      value: value / 3,
      unit: 'ops/s',
      baseline: baseline / 3,
      ratio: value / baseline,
    },
  ];
}
