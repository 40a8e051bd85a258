import type { z } from 'zod';

/** Severity of a manifest issue: errors make the document invalid, warnings do not. */
export type IssueSeverity = 'error' | 'warning';

/**
 * One problem in a plugin.json or config.json. `path` is a JSON path from the document root
 * (`$.capabilities[0].name`); `code` is stable and documented in the models README.
 */
export interface ManifestIssue {
  code: string;
  path: string;
  message: string;
  severity: IssueSeverity;
}

/** Formats a path of keys and indexes as `$.a.b[0].c`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let text = '$';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) text += `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Maps a zod issue to a ManifestIssue with one of our codes. */
export function toManifestIssue(issue: z.core.$ZodIssue, input: unknown): ManifestIssue {
  const path = formatJsonPath(issue.path);
  const custom = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
  if (custom) return { code: custom, path, message: issue.message, severity: 'error' };
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    valueAt(input, issue.path) === undefined
  ) {
    return {
      code: 'MISSING_FIELD',
      path,
      message: 'required field is missing',
      severity: 'error',
    };
  }
  if (issue.code === 'invalid_type') {
    return { code: 'INVALID_TYPE', path, message: `expected ${issue.expected}`, severity: 'error' };
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
    return { code: 'INVALID_ENUM', path, message: `must be one of ${allowed}`, severity: 'error' };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return { code: 'OUT_OF_RANGE', path, message: issue.message, severity: 'error' };
  }
  return { code: 'INVALID_VALUE', path, message: issue.message, severity: 'error' };
}

/** One line per issue, `path: message (CODE)`, for error messages and terminals. */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return listIssues(issues).join('\n');
}

/** Each issue as `path: message (CODE)`, for {@link formatReasons}. */
export function listIssues(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message} (${issue.code})`);
}

/**
 * Issues for keys an object has that the schema does not know (a typo must not pass silently).
 * A key one or two edits away from a known key that the object lacks is an error
 * (`MISSPELLED_KEY`): as written it would be ignored and its setting silently dropped
 * (`config_shema`, `paramters`). Any other unknown key is kept with an `UNKNOWN_KEY` warning.
 */
export function findUnknownKeys(
  value: unknown,
  knownKeys: readonly string[],
  path: readonly PropertyKey[],
): ManifestIssue[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const issues: ManifestIssue[] = [];
  for (const key of Object.keys(value)) {
    if (knownKeys.includes(key)) continue;
    const suggestion = closestKey(key, knownKeys);
    if (suggestion !== undefined && !Object.hasOwn(value, suggestion)) {
      issues.push({
        code: 'MISSPELLED_KEY',
        path: formatJsonPath([...path, key]),
        message: `unknown key "${key}": did you mean "${suggestion}"? As written it is ignored, so its setting would not apply`,
        severity: 'error',
      });
      continue;
    }
    issues.push({
      code: 'UNKNOWN_KEY',
      path: formatJsonPath([...path, key]),
      message: `unknown key "${key}" is kept but not used${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      severity: 'warning',
    });
  }
  return issues;
}

/** The known key closest to `key` (case and punctuation ignored, at most two edits away), if any. */
export function closestKey(key: string, knownKeys: readonly string[]): string | undefined {
  const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const wanted = normalise(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of knownKeys) {
    const distance = editDistance(wanted, normalise(candidate));
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      current[column] = Math.min(
        previous[column]! + 1,
        current[column - 1]! + 1,
        previous[column - 1]! + cost,
      );
    }
    previous = current;
  }
  return previous[right.length]!;
}
