import type { Finding } from '@agentplug/models';

/** Stands for the plugin's own folder in folded paths (`__dirname`, `import.meta.dirname`). */
export const PLUGIN_FOLDER_MARKER = '\u0000plugin';

/** A capability use the scan found, with its target when one applies. */
export interface CapabilityUse {
  finding: Finding;
  /**
   * The host, path or variable name used: a string when statically known, `null` when the
   * use has a target that folding could not resolve, `undefined` when no target applies.
   */
  target: string | null | undefined;
}

/** A module specifier imported with a statically known name. */
export interface ImportRecord {
  specifier: string;
  line: number;
  column: number;
}

/** Everything the scan learned about one file: capability uses (with targets) and imports. */
export interface SourceAnalysis {
  uses: CapabilityUse[];
  imports: ImportRecord[];
}

/** A folded path for messages, with the plugin folder marker spelled out. */
export function displayPath(path: string): string {
  return path.startsWith(PLUGIN_FOLDER_MARKER)
    ? `<plugin folder>${path.slice(PLUGIN_FOLDER_MARKER.length)}`
    : path;
}
