// Isolated plugins: call round trip against a raw MessageChannel round trip to a bare worker,
// worker start + load time, memory per resident isolated plugin (each side measured in a fresh process
// of its own, worker-memory-child.ts), and heap/RSS growth over 1,000 reloads
// (after 1,000 warm-up reloads, and over the warm-up itself against bare worker churn).
// Start and memory depend on how this Node runs module hooks (the import gate): in the plugin's
// own thread from Node 22.15 and 23.5 (module.registerHooks), on a hooks thread of its own before
// (module.register, Node 20). So they are measured on this Node and, in a child process, on the
// other of Node 20 and 24 (AGENTPLUG_BENCH_OTHER_NODE names its binary; else npx fetches it; a
// line on stderr says when neither works). One JSON line per figure. Run alone with:
//   node --conditions=@agentplug/source --import tsx bench/isolation.bench.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWorkerHost } from '../src/isolation/index';
import {
  alternatePairs,
  echoHostOptions,
  findOtherNode,
  loadAverages,
  median,
  startBareWorker,
} from './loader-bench-helpers';

interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  /** The load averages when the figure was measured (see loadAverages). */
  load?: number[];
}

const calls = Number(process.env.AGENTPLUG_BENCH_CALLS ?? 5000);
const starts = Number(process.env.AGENTPLUG_BENCH_STARTS ?? 20);
const reloads = Number(process.env.AGENTPLUG_BENCH_RELOADS ?? 1000);
const resident = 10;
const memoryPairs = Number(process.env.AGENTPLUG_BENCH_MEMORY_PAIRS ?? 3);
/** Set in the child that measures start and memory on the other Node version. */
const startAndMemoryOnly = process.env.AGENTPLUG_BENCH_PART === 'worker-start-memory';
const inThreadHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function';
/** This Node and where it runs the import gate, for the names of the figures that depend on it. */
const nodeLabel = inThreadHooks
  ? `Node ${process.version}, import gate in the plugin's thread (module.registerHooks)`
  : `Node ${process.version}, import gate on a hooks thread per plugin (module.register; the goals need Node 22.15 / 23.5 or later)`;

// bench/index.ts starts each bench with --expose-gc; alone, expose it here.
if (typeof globalThis.gc !== 'function') setFlagsFromString('--expose-gc');
const collectGarbage = (globalThis.gc ?? runInNewContext('gc')) as () => void;

function print(figure: Figure): void {
  const round = (value: number | null): number | null =>
    value === null ? null : Math.round(value * 1000) / 1000;
  console.log(
    JSON.stringify({
      ...figure,
      value: round(figure.value),
      baseline: round(figure.baseline),
      ratio: round(figure.ratio),
      // Measured just before: the load the figure was taken at.
      load: figure.load ?? loadAverages(),
    }),
  );
}

function settle(): void {
  for (let index = 0; index < 3; index += 1) collectGarbage();
}

const megabytes = (bytes: number): number => bytes / 1024 / 1024;

const root = mkdtempSync(join(tmpdir(), 'agentplug-isolation-bench-'));
const pluginPath = join(root, 'echo');
mkdirSync(pluginPath);
writeFileSync(join(pluginPath, 'main.mjs'), 'export class Plugin { echo(value) { return value; } }');
const hostOptions = echoHostOptions(pluginPath, {
  sandbox: { max_execution_time_seconds: 30, max_memory_mb: 64, isolation: 'worker' },
});

async function measureRoundTrips(): Promise<void> {
  const bare = await startBareWorker();
  // The tightest raw round trip: one persistent listener, no ids, no timers.
  let answer: ((value: unknown) => void) | undefined;
  bare.port.on('message', (message: unknown) => answer?.(message));
  const rawRoundTrip = (): Promise<unknown> =>
    new Promise((resolve) => {
      answer = resolve;
      bare.port.postMessage({ id: 1, method: 'echo', args: [1] });
    });
  const host = await createWorkerHost(hostOptions);
  const isolatedRoundTrip = (): Promise<unknown> => host.call('echo', [1]);
  const time = async (roundTrip: () => Promise<unknown>): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let index = 0; index < calls; index += 1) await roundTrip();
    return Number(process.hrtime.bigint() - started) / 1000 / calls;
  };
  // Warm up both, then alternate so neither gets a quieter machine.
  await time(rawRoundTrip);
  await time(isolatedRoundTrip);
  const raw: number[] = [];
  const isolated: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    raw.push(await time(rawRoundTrip));
    isolated.push(await time(isolatedRoundTrip));
  }
  const rawMicroseconds = Math.min(...raw);
  const isolatedMicroseconds = Math.min(...isolated);
  print({
    name: 'isolation: call round trip through the worker host vs raw MessageChannel round trip',
    value: isolatedMicroseconds,
    unit: 'us/call',
    baseline: rawMicroseconds,
    ratio: isolatedMicroseconds / rawMicroseconds,
  });
  await host.dispose();
  await bare.worker.terminate();
}

/** CPU time this process spent (every thread: the workers and their hooks threads too), in milliseconds. */
function processCpuMs(since?: NodeJS.CpuUsage): { usage: NodeJS.CpuUsage; ms: number } {
  const usage = process.cpuUsage(since);
  return { usage, ms: (usage.user + usage.system) / 1000 };
}

async function measureStartTime(): Promise<void> {
  const bare: number[] = [];
  const isolated: number[] = [];
  const bareCpu: number[] = [];
  const isolatedCpu: number[] = [];
  // Warm up both (the runtime's files, the first worker), then alternate which goes first so
  // neither gets a quieter machine.
  await (await startBareWorker()).worker.terminate();
  await (await createWorkerHost(hostOptions)).dispose();
  const startBare = async (): Promise<void> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { worker } = await startBareWorker();
    bare.push(performance.now() - started);
    await worker.terminate();
    bareCpu.push(processCpuMs(cpu).ms);
  };
  const startIsolated = async (): Promise<void> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const host = await createWorkerHost(hostOptions);
    isolated.push(performance.now() - started);
    await host.dispose();
    isolatedCpu.push(processCpuMs(cpu).ms);
  };
  await alternatePairs(starts, startBare, startIsolated);
  const value = median(isolated);
  const baseline = median(bare);
  print({
    name: `isolation: worker start + policy + plugin load, per plugin, ${nodeLabel} (vs bare worker start, medians)`,
    value,
    unit: 'ms',
    baseline,
    ratio: value / baseline,
  });
  // CPU time is what a busy machine does not distort (a wall-clock start waits for the scheduler
  // at every step, and the isolated start has more steps): every thread of this process, from the
  // start to the end of the terminate, so a worker's teardown is counted on both sides.
  const cpuValue = median(isolatedCpu);
  const cpuBaseline = median(bareCpu);
  print({
    name: `isolation: CPU time per worker start + policy + plugin load + terminate, all threads, ${nodeLabel} (vs bare worker start + terminate, medians)`,
    value: cpuValue,
    unit: 'ms CPU',
    baseline: cpuBaseline,
    ratio: cpuValue / cpuBaseline,
  });
}

/**
 * RSS per resident plugin against a bare worker, each side in a fresh process of its own (see
 * worker-memory-child.ts): measured in one process, the side measured second reuses the memory the
 * first one freed. Pairs of children, alternating which side starts first, medians of each side.
 */
function measureMemoryPerPlugin(): void {
  const child = fileURLToPath(new URL('./worker-memory-child.ts', import.meta.url));
  const run = (side: 'bare' | 'plugin'): number => {
    const result = spawnSync(
      process.execPath,
      [...process.execArgv, '--expose-gc', child, side, String(resident), pluginPath],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`worker memory child (${side}) failed: ${result.stderr}`);
    return (JSON.parse(result.stdout.trim()) as { perResident: number }).perResident;
  };
  const bare: number[] = [];
  const isolated: number[] = [];
  for (let pair = 0; pair < memoryPairs; pair += 1) {
    if (pair % 2 === 0) {
      bare.push(run('bare'));
      isolated.push(run('plugin'));
    } else {
      isolated.push(run('plugin'));
      bare.push(run('bare'));
    }
  }
  const value = median(isolated);
  const baseline = median(bare);
  print({
    name: `isolation: RSS per resident isolated plugin, ${nodeLabel} (${resident} resident, each side in a fresh process, medians of ${memoryPairs}, vs bare worker)`,
    value: megabytes(value),
    unit: 'MB',
    baseline: megabytes(baseline),
    ratio: value / baseline,
  });
}

/**
 * RSS growth of a fresh Node process over `count` bare worker start + terminate cycles: what the
 * C allocator keeps of threads that come and go, before any plugin code is involved. Measured in
 * a child process so its allocator starts as cold as this one did.
 */
function measureBareWorkerChurn(count: number): number {
  const script = `
    const { Worker } = require('node:worker_threads');
    const cycle = () => new Promise((resolve, reject) => {
      const worker = new Worker("require('node:worker_threads').parentPort.postMessage(0)", { eval: true, execArgv: [] });
      worker.once('error', reject);
      worker.once('message', () => worker.terminate().then(resolve));
    });
    const settle = () => { for (let index = 0; index < 3; index += 1) gc(); };
    (async () => {
      for (let index = 0; index < 20; index += 1) await cycle();
      settle();
      const before = process.memoryUsage().rss;
      for (let index = 0; index < ${count}; index += 1) await cycle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      settle();
      console.log(process.memoryUsage().rss - before);
    })();`;
  const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bare worker churn failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

async function measureReloads(): Promise<void> {
  const reload = async (): Promise<void> => {
    const host = await createWorkerHost(hostOptions);
    await host.call('echo', [1]);
    await host.dispose();
  };
  const reloadAndSettle = async (): Promise<NodeJS.MemoryUsage> => {
    for (let index = 0; index < reloads; index += 1) await reload();
    await new Promise((resolve) => setTimeout(resolve, 200));
    settle();
    return process.memoryUsage();
  };
  for (let index = 0; index < 20; index += 1) await reload();
  settle();
  const cold = process.memoryUsage();
  // The first window fills the C allocator's per-thread arenas, which it keeps for later threads;
  // the second one shows what each reload keeps once they are warm.
  const warm = await reloadAndSettle();
  const after = await reloadAndSettle();
  const bareChurn = measureBareWorkerChurn(reloads);
  print({
    name: `isolation: heap growth over ${reloads} reloads (create + call + dispose) of an isolated plugin, after ${reloads} warm-up reloads`,
    value: megabytes(after.heapUsed - warm.heapUsed),
    unit: 'MB',
    baseline: null,
    ratio: null,
  });
  print({
    name: `isolation: RSS growth over ${reloads} reloads (create + call + dispose) of an isolated plugin, after ${reloads} warm-up reloads`,
    value: megabytes(after.rss - warm.rss),
    unit: 'MB',
    baseline: null,
    ratio: null,
  });
  print({
    name: `isolation: RSS growth over the first ${reloads} reloads of an isolated plugin (allocator warm-up) vs ${reloads} bare worker start + terminate cycles in a fresh process`,
    value: megabytes(warm.rss - cold.rss),
    unit: 'MB',
    baseline: megabytes(bareChurn),
    ratio: (warm.rss - cold.rss) / bareChurn,
  });
}

/** Start and memory on the other Node version, in a child process: its lines are printed as they come. */
function measureOnOtherNode(): void {
  const node = findOtherNode(inThreadHooks ? 20 : 24, 'worker start and memory');
  if (node === undefined) return;
  const result = spawnSync(node, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, AGENTPLUG_BENCH_PART: 'worker-start-memory' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    console.error(`isolation bench on ${node} exited with ${result.status ?? result.signal}`);
}

try {
  if (startAndMemoryOnly) {
    await measureStartTime();
    measureMemoryPerPlugin();
  } else {
    await measureRoundTrips();
    await measureStartTime();
    measureMemoryPerPlugin();
    await measureReloads();
    measureOnOtherNode();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
