import { escapeJsonForTerminal } from './terminal-text';

/** Writes one line to standard output. */
export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a value as pretty JSON to standard output (what `--json` prints), safe for a terminal. */
export function printJson(value: unknown): void {
  process.stdout.write(`${escapeJsonForTerminal(JSON.stringify(value, null, 2))}\n`);
}

/** Writes one line to standard error. */
export function printErrorLine(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Formats rows as left-aligned columns under a header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}

/** A byte count for people: `512 B`, `12.3 KB`, `4.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
