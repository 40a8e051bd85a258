import { escapeJsonForTerminal } from './terminal-text';

/** Writes one line to standard output. */
export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** `camelCase` → `camel_case`; keys already in snake_case (the wire formats') are left alone. */
function toSnakeCase(key: string): string {
  return /[a-z0-9][A-Z]/.test(key) ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
}

/** Keys whose values are someone else's documents (JSON Schemas, a plugin's settings, error details): kept as written. */
const VERBATIM_KEYS: ReadonlySet<string> = new Set([
  'config_schema',
  'parameters',
  'returns',
  'config',
  'details',
]);

/**
 * A value with every object key in snake_case, the casing of plugin.json, config.json, the lock file
 * and the marketplace index, so every `--json` output reads alike. JSON Schemas and a plugin's own
 * settings inside (under `config_schema`, `parameters`, `returns`, `config`, `details`) keep their keys.
 */
export function toSnakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return toSnakeCaseKeys(JSON.parse(JSON.stringify(value)));
  }
  const converted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = toSnakeCase(key);
    Object.defineProperty(converted, name, {
      value: VERBATIM_KEYS.has(name) ? item : toSnakeCaseKeys(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return converted;
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
