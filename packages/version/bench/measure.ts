/** One figure of a benchmark, printed as a JSON line. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

/** Prints a figure as one JSON line, rounded for reading. */
export function printFigure(figure: Figure): void {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const printed: Figure = { name: figure.name, value: round(figure.value), unit: figure.unit };
  if (figure.baseline !== undefined) printed.baseline = round(figure.baseline);
  if (figure.ratio !== undefined) printed.ratio = round(figure.ratio);
  console.log(JSON.stringify(printed));
}

/** The median of the durations (ms) of `runs` calls, after `warmup` unmeasured calls. */
export async function medianMilliseconds(
  action: () => unknown,
  options: { runs: number; warmup: number },
): Promise<number> {
  for (let index = 0; index < options.warmup; index += 1) await action();
  const durations: number[] = [];
  for (let index = 0; index < options.runs; index += 1) {
    const started = performance.now();
    await action();
    durations.push(performance.now() - started);
  }
  durations.sort((left, right) => left - right);
  return durations[Math.floor(durations.length / 2)]!;
}

/** Calls per second of `action`, measured over about `milliseconds`. */
export function operationsPerSecond(
  action: () => void,
  options: { callsPerAction: number; milliseconds: number },
): number {
  const { callsPerAction, milliseconds } = options;
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    action();
    calls += callsPerAction;
    elapsed = performance.now() - started;
  }
  return (calls / elapsed) * 1000;
}

/** A small seeded pseudo-random generator (mulberry32), so every run builds the same data. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
