import { toSnakeCaseKeys } from '@agentplug/models';
import { escapeJsonForTerminal } from './terminal-text';

/** Writes one line to standard output. */
export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/**
 * Writes a value as pretty JSON to standard output (what `--json` prints), safe for a terminal, its
 * keys in snake_case (see {@link toSnakeCaseKeys}); `verbatim` keeps keys that are a plugin's own
 * (its configuration values), as they are.
 */
export function printJson(value: unknown, options: { verbatim?: boolean } = {}): void {
  const shaped = options.verbatim ? value : toSnakeCaseKeys(value);
  process.stdout.write(`${escapeJsonForTerminal(JSON.stringify(shaped, null, 2))}\n`);
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
