import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { buildBubblewrapArguments } from './build-process-command';

/** Whether the OS sandbox can be used here, and if not, why. */
export interface OsSandboxStatus {
  available: boolean;
  /** bwrap's path, when available. */
  bubblewrapPath?: string;
  /** Why it is not available. */
  reason?: string;
}

const probeTimeoutMs = 15_000;
const cache = new Map<string, Promise<OsSandboxStatus>>();

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds bwrap on PATH (and in the usual folders, for hosts started with an empty PATH). */
export function findBubblewrap(): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/local/bin'];
  for (const folder of folders) {
    if (folder === '') continue;
    const candidate = join(folder, 'bwrap');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs Node inside the sandbox once (`node -e 0` with the real mount layout); resolves with bwrap's complaint if any. */
function probe(bubblewrapPath: string): Promise<OsSandboxStatus> {
  return new Promise((resolve) => {
    const args = [
      ...buildBubblewrapArguments({
        bootstrapPath: '',
        runtimeFolder: process.execPath,
        pluginPath: '/',
        readPaths: [],
        writePaths: [],
        maxMemoryMb: 64,
        cpuTimeLimitSeconds: 10,
        addressSpaceLimitMb: 4096,
      }).filter((argument, index, all) => !(argument === '--chdir' || all[index - 1] === '--chdir')),
      process.execPath,
      '-e',
      'process.exit(require("node:os").networkInterfaces().eth0 === undefined ? 0 : 3)',
    ];
    let stderr = '';
    let settled = false;
    const finish = (status: OsSandboxStatus): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(status);
    };
    const child = spawn(bubblewrapPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ available: false, reason: `bwrap did not start Node within ${probeTimeoutMs} ms` });
    }, probeTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      finish({ available: false, reason: `bwrap could not be run: ${error.message}` }),
    );
    child.on('exit', (code, signal) => {
      if (code === 0) finish({ available: true, bubblewrapPath });
      else
        finish({
          available: false,
          reason: `bwrap could not create the sandbox (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`,
        });
    });
  });
}

/**
 * Whether the process tier can add its OS sandbox on this machine: Linux, bubblewrap found (at
 * `bubblewrapPath`, else on PATH), and a trial run of Node inside a fresh set of namespaces
 * succeeding (user namespaces can be restricted even where bwrap is installed). Checked once per
 * bwrap path, at run time.
 */
export function detectOsSandbox(bubblewrapPath?: string): Promise<OsSandboxStatus> {
  if (process.platform !== 'linux') {
    return Promise.resolve({
      available: false,
      reason: `no OS sandbox is implemented on ${process.platform}`,
    });
  }
  const path = bubblewrapPath ?? findBubblewrap();
  if (path === undefined) {
    return Promise.resolve({ available: false, reason: 'bubblewrap (bwrap) is not installed' });
  }
  if (!isExecutable(path)) return Promise.resolve({ available: false, reason: `${path} is not executable` });
  let status = cache.get(path);
  if (status === undefined) {
    status = probe(path);
    cache.set(path, status);
  }
  return status;
}
