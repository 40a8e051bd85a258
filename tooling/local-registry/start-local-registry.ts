import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The npm registry Verdaccio proxies everything but `@agentplug/*` to, when none is configured. */
const DEFAULT_UPSTREAM = 'https://registry.npmjs.org/';

/** Options of {@link startLocalRegistry}. */
export interface StartLocalRegistryOptions {
  /** Where the storage, config and npmrc go; a new temporary folder when left out (removed on close). */
  folder?: string;
  /** The registry every package outside `@agentplug/*` comes from. Default: npm's configured registry. */
  upstream?: string;
  /** How long to wait for Verdaccio to listen. Default 60 s. */
  startTimeoutMs?: number;
}

/** A running Verdaccio that serves `@agentplug/*` from a temporary storage and proxies the rest. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** An npmrc naming this registry and a publish token for it. */
  readonly npmrcPath: string;
  /**
   * Environment variables that point npm, npx and pnpm at this registry (registry and user config);
   * merge them into a child's environment.
   */
  readonly env: Record<string, string>;
  /** Stops Verdaccio and removes the folder when this call made it. Idempotent. */
  close(): Promise<void>;
}

/** The registry npm is configured with here (environment, user and global npmrc), else npm's own. */
function upstreamRegistry(explicit: string | undefined): string {
  const asked = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', cwd: tmpdir() });
  const configured = explicit ?? (asked.status === 0 ? asked.stdout.trim() : '') ?? '';
  const registry = /^https?:\/\//.test(configured) ? configured : DEFAULT_UPSTREAM;
  return registry.endsWith('/') ? registry : `${registry}/`;
}

/**
 * Verdaccio's configuration (YAML is a superset of JSON): `@agentplug/*` only from this storage,
 * never from the upstream (a name someone else published there must not leak in), everything
 * else proxied; publishing needs a user, which {@link startLocalRegistry} creates.
 */
function createConfig(folder: string, upstream: string): string {
  return JSON.stringify(
    {
      storage: join(folder, 'storage'),
      auth: { htpasswd: { file: join(folder, 'htpasswd'), max_users: 10 } },
      uplinks: { upstream: { url: upstream, timeout: '60s', maxage: '30m', max_fails: 5 } },
      packages: {
        '@agentplug/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
        '**': { access: '$all', publish: '$authenticated', proxy: 'upstream' },
      },
      web: { enable: false },
      log: { type: 'stdout', format: 'pretty', level: 'error' },
      max_body_size: '200mb',
      publish: { allow_offline: true },
    },
    null,
    2,
  );
}

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let errorOutput = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errorOutput += chunk.toString();
    });
    const timer = setTimeout(() => {
      reject(new Error(`Verdaccio did not listen within ${timeoutMs} ms: ${errorOutput}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{"url"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Verdaccio exited with code ${code}: ${errorOutput}`));
    });
  });
}

async function createUser(url: string): Promise<string> {
  const name = 'agentplug-release';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `local-${process.pid}-${Date.now()}`, type: 'user' }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error(`Verdaccio refused to create a user: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

/**
 * Starts Verdaccio on 127.0.0.1 (a free port) in its own process with a fresh storage, creates a
 * publishing user, and writes an npmrc for it.
 * @example
 * const registry = await startLocalRegistry();
 * try { execFileSync('npm', ['view', '@agentplug/cli'], { env: { ...process.env, ...registry.env } }); }
 * finally { await registry.close(); }
 */
export async function startLocalRegistry(options: StartLocalRegistryOptions = {}): Promise<LocalRegistry> {
  const ownsFolder = options.folder === undefined;
  const folder = options.folder ?? (await mkdtemp(join(tmpdir(), 'agentplug-registry-')));
  await mkdir(folder, { recursive: true });
  const configPath = join(folder, 'config.yaml');
  await writeFile(configPath, createConfig(folder, upstreamRegistry(options.upstream)));
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('serve-verdaccio.cjs', import.meta.url)), configPath],
    { cwd: folder, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await stopChild(child);
    if (ownsFolder) await rm(folder, { recursive: true, force: true });
  };
  try {
    const url = await waitForUrl(child, options.startTimeoutMs ?? 60_000);
    const token = await createUser(url);
    const npmrcPath = join(folder, 'npmrc');
    const authKey = `${url.replace(/^https?:/, '')}:_authToken`;
    await writeFile(npmrcPath, `registry=${url}\n${authKey}=${token}\n`);
    return {
      url,
      npmrcPath,
      env: { npm_config_registry: url, npm_config_userconfig: npmrcPath },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
