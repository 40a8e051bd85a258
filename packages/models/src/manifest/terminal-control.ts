import { formatJsonPath, type ManifestIssue } from './issues';

/**
 * Whether a UTF-16 code unit is a terminal control character: C0 controls other than tab and line
 * feed (ESC starts the sequences that recolour, move the cursor or rewrite a terminal's title), DEL,
 * C1 controls (U+009B is a one-character CSI), and the bidirectional overrides and isolates that
 * make text display in another order than it reads.
 */
export function isTerminalControlCharacter(code: number): boolean {
  return (
    (code <= 0x1f && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** The index of the first terminal control character in `text`, or -1. */
export function findTerminalControlCharacter(text: string): number {
  for (let index = 0; index < text.length; index += 1) {
    if (isTerminalControlCharacter(text.charCodeAt(index))) return index;
  }
  return -1;
}

const MAX_WALK_DEPTH = 64;

/** Every string (and key) of a manifest holding a terminal control character, as CONTROL_CHARACTER issues. */
export function checkTerminalControlCharacters(document: unknown): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const report = (text: string, path: PropertyKey[], what: string): void => {
    const index = findTerminalControlCharacter(text);
    if (index === -1) return;
    const code = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
    issues.push({
      code: 'CONTROL_CHARACTER',
      path: formatJsonPath(path),
      message: `${what} holds the control character U+${code}; only tab and newline are allowed (a terminal would act on it)`,
      severity: 'error',
    });
  };
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      report(value, path, 'the text');
      return;
    }
    if (typeof value !== 'object' || value === null || path.length > MAX_WALK_DEPTH) return;
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      report(key, [...path, key], 'the key');
      visit(item, [...path, key]);
    }
  };
  visit(document, []);
  return issues;
}
