import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PluginValidator } from '../src/index';
import { median, print } from './report';

const FILES: Record<string, string> = {
  'plugin.json': JSON.stringify({
    plugin_id: 'com.example.hop',
    name: 'Hop',
    version: '1.0.0',
    description: 'a small plugin for the worker hop',
    author: 'bench',
    plugin_type: 'tool',
    entry_point: 'main',
    permissions: { filesystem_read: ['data'] },
  }),
  'main.js': `import { readFile } from 'node:fs/promises';\nimport { format } from './lib/format.js';\nexport class Plugin {\n  async run(name) { return format(await readFile(new URL('./data/x.json', import.meta.url), 'utf8'), name); }\n}\n${'// filler\n'.repeat(60)}`,
  'lib/format.js': `export function format(text, name) {\n  return \`\${name}: \${JSON.parse(text).value}\`;\n}\n${Array.from({ length: 40 }, (_, index) => `export const unused${index} = [1, 2, 3].map((x) => x * ${index});\n`).join('')}`,
  'lib/util.js': `export const clamp = (value, low, high) => Math.min(high, Math.max(low, value));\n${Array.from({ length: 40 }, (_, index) => `export function noop${index}() { return ${index}; }\n`).join('')}`,
};

/** CPU milliseconds (user + system) of this process, every thread included (the scan worker's too). */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timeValidation(validator: PluginValidator, folder: string): Promise<Timing> {
  const wallStarted = performance.now();
  const cpuStarted = cpuNow();
  const result = await validator.validatePlugin(folder);
  const timing = { wallMs: performance.now() - wallStarted, cpuMs: cpuNow() - cpuStarted };
  if (!result.valid) throw new Error(`the hop plugin should be valid: ${result.errors.join('; ')}`);
  return timing;
}

const ROUNDS = 60;
const COLD_ROUNDS = 7;

/**
 * What running the scan in a worker costs a plugin: a small plugin (four files) validated with
 * the cache off, on a warm worker and in the calling thread, in pairs (the order alternating),
 * each pair giving one difference: wall time (the caller's wait: the worker's added latency,
 * which includes waiting for the machine to schedule the worker thread and then the caller again)
 * and CPU time of every thread of the process (the hop's own work, which load does not inflate).
 * Starting a worker is a cost paid once per process and heap limit; it is reported apart.
 */
export async function benchWorkerHop(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-validator-hop-'));
  const isolated = new PluginValidator({ cache: false });
  const inThread = new PluginValidator({ cache: false, scanIsolation: 'none' });
  try {
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(join(folder, path, '..'), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    for (let round = 0; round < 20; round++) {
      await timeValidation(isolated, folder);
      await timeValidation(inThread, folder);
    }
    const wallHops: number[] = [];
    const cpuHops: number[] = [];
    const threadWall: number[] = [];
    const threadCpu: number[] = [];
    const workerWall: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const workerFirst = round % 2 === 0;
      const first = await timeValidation(workerFirst ? isolated : inThread, folder);
      const second = await timeValidation(workerFirst ? inThread : isolated, folder);
      const [worker, thread] = workerFirst ? [first, second] : [second, first];
      wallHops.push(worker.wallMs - thread.wallMs);
      cpuHops.push(worker.cpuMs - thread.cpuMs);
      threadWall.push(thread.wallMs);
      threadCpu.push(thread.cpuMs);
      workerWall.push(worker.wallMs);
    }
    const threadWallMs = median(threadWall);
    const threadCpuMs = median(threadCpu);
    print(
      `worker-hop-per-plugin-ms (warm worker, wall: median of ${ROUNDS} paired differences worker - in-thread; baseline = in-thread; 4 files, cache off)`,
      median(wallHops),
      'ms',
      threadWallMs,
      (threadWallMs + median(wallHops)) / threadWallMs,
    );
    print(
      `worker-hop-cpu-per-plugin-ms (warm worker, CPU of all threads: median of ${ROUNDS} paired differences; baseline = in-thread CPU)`,
      median(cpuHops),
      'ms',
      threadCpuMs,
      (threadCpuMs + median(cpuHops)) / threadCpuMs,
    );
    const cold: number[] = [];
    for (let round = 0; round < COLD_ROUNDS; round++) {
      // A heap limit no other validator uses: a new worker, started by this validation.
      const fresh = new PluginValidator({ cache: false, scanMemoryMb: 1000 + round });
      try {
        cold.push((await timeValidation(fresh, folder)).wallMs);
      } finally {
        await fresh.close();
      }
    }
    const warmMs = median(workerWall);
    print(
      `worker-cold-start-ms (once per process and heap limit: the first plugin on a new worker minus a warm one, wall, median of ${COLD_ROUNDS}; the worker here starts from the sources through tsx)`,
      median(cold) - warmMs,
      'ms',
      warmMs,
      median(cold) / warmMs,
    );
  } finally {
    await isolated.close();
    await rm(folder, { recursive: true, force: true });
  }
}
