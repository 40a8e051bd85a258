/** The file in a plugin folder that changes what `pack` leaves out (gitignore syntax). */
export const IGNORE_FILE_NAME = '.agentplugignore';

/** One line of an ignore list, compiled. */
export interface IgnoreRule {
  /** The line as written (without a leading `!`). */
  readonly pattern: string;
  /** A `!` line: the matching paths ship after all. */
  readonly negated: boolean;
  /** A trailing `/`: matches folders only. */
  readonly folderOnly: boolean;
  /** Names one path exactly (no wildcard), which is how an author ships a file the secret scan flags. */
  readonly exact: boolean;
  readonly matcher: RegExp;
}

/** What never ships unless a `!` line in `.agentplugignore` asks for it. */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = [
  // version control and dependencies (node_modules ships only when the entry needs it unbundled)
  '.git/',
  '.hg/',
  '.svn/',
  'node_modules/',
  // secrets: environment files, keys and certificates, credential files of common tools
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.crt',
  '*.cer',
  '*.der',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.npmrc',
  '.netrc',
  '.pypirc',
  '.aws/',
  '.ssh/',
  // editors, operating systems, logs and earlier archives
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '.idea/',
  '.vscode/',
  '*.swp',
  '*~',
  '*.log',
  '*.tgz',
  // the ignore file itself
  IGNORE_FILE_NAME,
];

/**
 * Left out as well when the plugin has a build (package.json has a `build` script and the entry
 * module lies outside `src/`): sources, tests and tool configuration the built files do not need.
 */
export const BUILD_IGNORE_PATTERNS: readonly string[] = [
  'src/',
  'test/',
  'tests/',
  '__tests__/',
  '__fixtures__/',
  'coverage/',
  '*.test.*',
  '*.spec.*',
  '*.ts',
  '!*.d.ts',
  'tsconfig*.json',
  '.gitignore',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
];

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Translates one gitignore-style glob (without `!` and trailing `/`) into a regular expression. */
function globToRegExp(glob: string): RegExp {
  // A pattern with a slash other than at its end is anchored to the folder; one without matches
  // a name at any depth, as in gitignore.
  const anchored = glob.includes('/');
  const body = glob.startsWith('/') ? glob.slice(1) : glob;
  let source = '';
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index]!;
    if (character === '*') {
      if (body[index + 1] === '*') {
        const slashAfter = body[index + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        index += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (character === '?') {
      source += '[^/]';
    } else {
      source += escapeRegExp(character);
    }
  }
  // A match on a folder covers everything below it.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source}(?:/.*)?$`);
}

/**
 * Compiles ignore-list lines (gitignore syntax: `#` comments, `!` to re-include, a trailing `/`
 * for folders only, `*`, `**` and `?`). Blank lines and comments are dropped.
 */
export function compileIgnoreRules(lines: readonly string[]): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const withoutBang = negated ? line.slice(1) : line;
    const folderOnly = withoutBang.endsWith('/');
    const pattern = folderOnly ? withoutBang.slice(0, -1) : withoutBang;
    if (pattern === '') continue;
    rules.push({
      pattern,
      negated,
      folderOnly,
      exact: !/[*?[]/.test(pattern),
      matcher: globToRegExp(pattern),
    });
  }
  return rules;
}

/** Reads the lines of an `.agentplugignore` file's text. */
export function parseIgnoreFile(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Whether a path (forward slashes, relative to the plugin folder) is left out: the last rule that
 * matches decides, as in gitignore. A folder-only rule matches a folder, or a file below it.
 */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isFolder: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.negated !== ignored) continue;
    if (!rule.matcher.test(path)) continue;
    if (rule.folderOnly && !isFolder && !hasMatchingFolder(rule, path)) continue;
    ignored = !rule.negated;
  }
  return ignored;
}

function hasMatchingFolder(rule: IgnoreRule, path: string): boolean {
  const segments = path.split('/');
  for (let length = 1; length < segments.length; length += 1) {
    if (rule.matcher.test(segments.slice(0, length).join('/'))) return true;
  }
  return false;
}

/** Whether a `!` rule names this path exactly (not through a wildcard). */
export function isNamedExplicitly(rules: readonly IgnoreRule[], path: string): boolean {
  return rules.some(
    (rule) => rule.negated && rule.exact && (rule.pattern === path || rule.pattern === `/${path}`),
  );
}
