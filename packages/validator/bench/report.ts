/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Prints one bench line: a figure against the raw baseline measured in the same run. */
export function print(name: string, value: number, unit: string, baseline: number, ratio: number): void {
  const round = (number: number) => Math.round(number * 1000) / 1000;
  console.log(
    JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(ratio) }),
  );
}

/** Prints one bench line that is a count or a share, with no baseline. */
export function printFigure(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 1000) / 1000, unit }));
}
