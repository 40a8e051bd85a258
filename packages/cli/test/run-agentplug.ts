import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The monorepo root. */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The tsx loader, by absolute URL so subprocesses can run from any folder. */
export const TSX_LOADER_URL: string = pathToFileURL(
  join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'),
).href;

const CLI_SOURCE = join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts');

/** What one `agentplug` run printed and how it ended. */
export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runAgentplug}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Environment variables of the test process that would leak settings into the command. */
const LEAKING = [
  'AGENTPLUG_MARKETPLACE',
  'AGENTPLUG_CONFIG',
  'AGENTPLUG_TOKEN',
  'AGENTPLUG_TRUSTED_KEYS',
  'AGENTPLUG_PLUGINS_DIR',
];

/**
 * Runs `agentplug` from source as a subprocess with no terminal on standard input, the way a CI
 * job runs it.
 */
export function runAgentplug(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
  for (const name of LEAKING) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(
    process.execPath,
    ['--conditions=@agentplug/source', `--import=${TSX_LOADER_URL}`, CLI_SOURCE, ...args],
    { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return collectOutput(child);
}

/** Options of {@link runAgentplugOnTerminal}. */
export interface TerminalRunOptions extends RunOptions {
  /** Text whose appearance on the terminal is the question to answer. */
  prompt: string;
  /** What to type once it appears (a newline follows). */
  answer: string;
}

/**
 * Runs `agentplug` on a pseudo-terminal (util-linux `script`), the way a person at a shell runs it:
 * standard input is a terminal, and `answer` is typed once `prompt` appears. Standard output and
 * error share the terminal, so both are in `stdout` (with \r\n line ends).
 */
export function runAgentplugOnTerminal(
  args: readonly string[],
  options: TerminalRunOptions,
): Promise<RunResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
  for (const name of LEAKING) delete env[name];
  Object.assign(env, options.env);
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [
    process.execPath,
    '--conditions=@agentplug/source',
    `--import=${TSX_LOADER_URL}`,
    CLI_SOURCE,
    ...args,
  ]
    .map(quote)
    .join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let seen = '';
  child.stdout.setEncoding('utf8').on('data', function answer(chunk: string) {
    seen += chunk;
    if (!seen.includes(options.prompt)) return;
    child.stdout.off('data', answer);
    child.stdin.write(`${options.answer}\n`);
  });
  return collectOutput(child);
}

/** Runs any command (npm, node) and collects its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<RunResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child);
}

/** Collects a child's output until it closes. */
function collectOutput(
  child: ChildProcessByStdio<null, Readable, Readable> | ChildProcessByStdio<Writable, Readable, Readable>,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}
