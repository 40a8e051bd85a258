// The process tier: start + policy + plugin load against a bare child_process.fork of an empty
// module, a call round trip against a raw IPC round trip between the same two processes, and the
// resident memory of a plugin's process (its whole tree: sh → bubblewrap → Node) beside a bare
// child's. With and without the OS sandbox when this machine has one. The raw round trip is fair
// to both sides: Node's IPC channel is a Unix socket pair carrying JSON lines, and the plugin's
// channel is a Unix socket pair too (file descriptor 3), carrying a plain call and a plain result as
// JSON frames (V8's format only for values JSON would change), and the raw messages have the same
// shape and size as the host's (a call `{ id, method, args, optional }` out, `{ type, id, value }`
// back). Round trips are timed in many short rounds, alternating which side goes first, and the
// ratio is the median of each round's ratio (paired, so a busy spell weighs on both). Start is also
// measured on the other of Node 20 and 24 (AGENTPLUG_BENCH_OTHER_NODE, else npx fetches it), and
// each line carries the load averages it was measured at. Run alone with:
//   node --conditions=@agentplug/source --import tsx bench/process-isolation.bench.ts
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginHost, PluginHostOptions, ProcessSandboxOptions } from '../src/host/plugin-host';
import { createProcessHost, detectOsSandbox } from '../src/isolation/index';
import {
  alternatePairs,
  echoHostOptions,
  findOtherNode,
  loadAverages,
  median,
  printFigure,
} from './loader-bench-helpers';

const calls = Number(process.env.AGENTPLUG_BENCH_CALLS ?? 600);
const rounds = Number(process.env.AGENTPLUG_BENCH_ROUNDS ?? 15);
const starts = Number(process.env.AGENTPLUG_BENCH_STARTS ?? 20);
const resident = 6;

const root = mkdtempSync(join(tmpdir(), 'agentplug-process-bench-'));
const pluginPath = join(root, 'echo');
mkdirSync(pluginPath);
writeFileSync(join(pluginPath, 'main.mjs'), 'export class Plugin { echo(value) { return value; } }');
const emptyModule = join(root, 'empty.mjs');
writeFileSync(
  emptyModule,
  // Answers a call as the plugin's runtime does: a result message with the call's id.
  "process.send('ready'); process.on('message', (message) => process.send({ type: 'result', id: message.id, value: message.args[0] }));",
);

const hostOptions = (processSandbox: ProcessSandboxOptions): PluginHostOptions =>
  echoHostOptions(pluginPath, {
    sandbox: { max_execution_time_seconds: 60, max_memory_mb: 64, isolation: 'process' },
    processSandbox,
  });

/** A bare child: fork of a module that says it is ready and echoes every IPC message. */
async function forkBareChild(): Promise<ChildProcess> {
  const child = fork(emptyModule, [], { execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await new Promise((resolve) => child.once('message', resolve));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Every process below this one, by pid (Linux: /proc/<pid>/task/<tid>/children). */
function descendants(pid: number = process.pid): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number))
      found.push(child, ...descendants(child));
  }
  return found;
}

function residentKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Host CPU (this process, every thread) plus the CPU of processes below it that were not here before, in ms. */
function cpuSince(hostCpu: NodeJS.CpuUsage, before: ReadonlySet<number>): { host: number; children: number } {
  const host = process.cpuUsage(hostCpu);
  const children = descendants()
    .filter((pid) => !before.has(pid))
    .reduce((sum, pid) => sum + cpuMicros(pid), 0);
  return { host: (host.user + host.system) / 1000, children: children / 1000 };
}

/**
 * Start time against a bare fork, in pairs that alternate which side goes first (a busy spell
 * weighs on both), medians of wall time; and CPU time per start, this process plus the child's
 * whole process tree until it is ready (read from /proc in clock ticks of 10 ms, so a mean over
 * every round rather than a median of single starts).
 */
async function measureStart(label: string, processSandbox: ProcessSandboxOptions): Promise<void> {
  const load = loadAverages();
  const bare: number[] = [];
  const isolated: number[] = [];
  const bareCpu = { host: 0, children: 0 };
  const isolatedCpu = { host: 0, children: 0 };
  const add = (total: { host: number; children: number }, cpu: { host: number; children: number }): void => {
    total.host += cpu.host;
    total.children += cpu.children;
  };
  const startBare = async (): Promise<void> => {
    const before = new Set(descendants());
    const hostCpu = process.cpuUsage();
    const started = performance.now();
    const child = await forkBareChild();
    bare.push(performance.now() - started);
    add(bareCpu, cpuSince(hostCpu, before));
    await stopChild(child);
  };
  const startIsolated = async (): Promise<void> => {
    const before = new Set(descendants());
    const hostCpu = process.cpuUsage();
    const started = performance.now();
    const host = await createProcessHost(hostOptions(processSandbox));
    isolated.push(performance.now() - started);
    add(isolatedCpu, cpuSince(hostCpu, before));
    await host.dispose();
  };
  // Warm up both (and the OS sandbox probe, the runtime bundle, the compile cache).
  await startBare();
  await startIsolated();
  bare.length = 0;
  isolated.length = 0;
  for (const total of [bareCpu, isolatedCpu]) {
    total.host = 0;
    total.children = 0;
  }
  await alternatePairs(starts, startBare, startIsolated);
  const value = median(isolated);
  const baseline = median(bare);
  printFigure({
    name: `process isolation${label}: start + policy + plugin load, per plugin, Node ${process.version} (vs bare child_process.fork of an empty module; ${starts} alternating pairs, medians)`,
    value,
    unit: 'ms',
    baseline,
    ratio: value / baseline,
    load,
  });
  const perStart = (total: { host: number; children: number }): number =>
    (total.host + total.children) / starts;
  printFigure({
    name: `process isolation${label}: CPU time per start until ready, host + the child's process tree, Node ${process.version} (vs bare fork; means of ${starts} starts each, clock ticks of 10 ms)`,
    value: perStart(isolatedCpu),
    unit: 'ms CPU',
    baseline: perStart(bareCpu),
    ratio: perStart(isolatedCpu) / perStart(bareCpu),
    load,
    extra: {
      hostMs: Math.round((isolatedCpu.host / starts) * 10) / 10,
      childMs: Math.round((isolatedCpu.children / starts) * 10) / 10,
      bareHostMs: Math.round((bareCpu.host / starts) * 10) / 10,
      bareChildMs: Math.round((bareCpu.children / starts) * 10) / 10,
    },
  });
}

/** CPU time (user + system) a process used so far, in microseconds (Linux: /proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3, utime field 14 and stime field 15 (1-based, whole line).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

async function measureRoundTrip(label: string, processSandbox: ProcessSandboxOptions): Promise<void> {
  const load = loadAverages();
  const child = await forkBareChild();
  let answer: ((value: unknown) => void) | undefined;
  child.on('message', (message) => answer?.(message));
  let rawId = 0;
  // The same call message the host sends (its JSON is the same size), answered the same way.
  const rawRoundTrip = (): Promise<unknown> =>
    new Promise((resolve) => {
      answer = resolve;
      rawId += 1;
      child.send({ id: rawId, method: 'echo', args: [1], optional: false });
    });
  const before = new Set(descendants());
  const host: PluginHost = await createProcessHost(hostOptions(processSandbox));
  // The plugin's whole process tree (sh execs bubblewrap or Node; bubblewrap forks Node).
  const pluginPids = descendants().filter((pid) => !before.has(pid));
  const isolatedRoundTrip = (): Promise<unknown> => host.call('echo', [1]);
  /** Wall time per call, and CPU time per call of this process and the other side together. */
  const timeCalls = async (
    roundTrip: () => Promise<unknown>,
    otherSide: number[],
  ): Promise<{ wall: number; cpu: number }> => {
    const cpuOther = otherSide.reduce((sum, pid) => sum + cpuMicros(pid), 0);
    const cpuHere = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let index = 0; index < calls; index += 1) await roundTrip();
    const wall = Number(process.hrtime.bigint() - started) / 1000 / calls;
    const here = process.cpuUsage(cpuHere);
    const other = otherSide.reduce((sum, pid) => sum + cpuMicros(pid), 0) - cpuOther;
    return { wall, cpu: (here.user + here.system + other) / calls };
  };
  const bare = [child.pid as number];
  // Warm up both (JIT, socket buffers), then pair each isolated round with a raw one, alternating
  // which goes first.
  for (let index = 0; index < 3; index += 1) {
    await timeCalls(rawRoundTrip, bare);
    await timeCalls(isolatedRoundTrip, pluginPids);
  }
  const raw: { wall: number; cpu: number }[] = [];
  const isolated: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      raw.push(await timeCalls(rawRoundTrip, bare));
      isolated.push(await timeCalls(isolatedRoundTrip, pluginPids));
    } else {
      isolated.push(await timeCalls(isolatedRoundTrip, pluginPids));
      raw.push(await timeCalls(rawRoundTrip, bare));
    }
  }
  const pairedRatio = (key: 'wall' | 'cpu'): number =>
    median(isolated.map((round, index) => round[key] / (raw[index] as { wall: number; cpu: number })[key]));
  printFigure({
    name: `process isolation${label}: call round trip through the process host vs a raw IPC round trip (process.send) to a child, same message sizes, Node ${process.version} (${rounds} paired rounds of ${calls} calls, medians)`,
    value: median(isolated.map((round) => round.wall)),
    unit: 'us/call',
    baseline: median(raw.map((round) => round.wall)),
    ratio: pairedRatio('wall'),
    load,
  });
  // CPU time is what a busy machine does not distort: both processes' user + system time per call
  // (read in clock ticks of 10 ms from /proc, so over a round, not per call).
  printFigure({
    name: `process isolation${label}: CPU time per call round trip, host and plugin process together, Node ${process.version}, vs a raw IPC round trip (both processes, paired medians)`,
    value: median(isolated.map((round) => round.cpu)),
    unit: 'us CPU/call',
    baseline: median(raw.map((round) => round.cpu)),
    ratio: pairedRatio('cpu'),
    load,
  });
  await host.dispose();
  await stopChild(child);
}

async function measureMemory(label: string, processSandbox: ProcessSandboxOptions): Promise<void> {
  const load = loadAverages();
  const before = new Set(descendants());
  const bares: ChildProcess[] = [];
  for (let index = 0; index < resident; index += 1) bares.push(await forkBareChild());
  await new Promise((resolve) => setTimeout(resolve, 300));
  const bareKb = descendants()
    .filter((pid) => !before.has(pid))
    .reduce((sum, pid) => sum + residentKb(pid), 0);
  await Promise.all(bares.map(stopChild));
  const hosts: PluginHost[] = [];
  for (let index = 0; index < resident; index += 1) {
    const host = await createProcessHost(hostOptions(processSandbox));
    await host.call('echo', [1]);
    hosts.push(host);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const isolatedKb = descendants()
    .filter((pid) => !before.has(pid))
    .reduce((sum, pid) => sum + residentKb(pid), 0);
  await Promise.all(hosts.map((host) => host.dispose()));
  printFigure({
    name: `process isolation${label}: RSS per resident plugin, its whole process tree, Node ${process.version} (${resident} resident, vs a bare forked child)`,
    value: isolatedKb / resident / 1024,
    unit: 'MB',
    baseline: bareKb / resident / 1024,
    ratio: isolatedKb / bareKb,
    load,
  });
}

/** Set in the child that measures start on the other of Node 20 and 24. */
const startOnly = process.env.AGENTPLUG_BENCH_PART === 'process-start';

/** Start on the other of Node 20 and 24, in a child process: its lines are printed as they come. */
function measureStartOnOtherNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  const node = findOtherNode(major >= 22 ? 20 : 24, 'process isolation start');
  if (node === undefined) return;
  const result = spawnSync(node, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, AGENTPLUG_BENCH_PART: 'process-start' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    console.error(`process isolation bench on ${node} exited with ${result.status ?? result.signal}`);
}

try {
  const status = await detectOsSandbox();
  const modes: [string, ProcessSandboxOptions][] = [[' without OS sandbox', { osSandbox: 'off' }]];
  if (status.available) modes.unshift([' with OS sandbox (bubblewrap)', {}]);
  else console.error(`no OS sandbox here: ${status.reason}`);
  for (const [label, options] of modes) {
    await measureStart(label, options);
    if (startOnly) continue;
    await measureRoundTrip(label, options);
    await measureMemory(label, options);
  }
  if (!startOnly) measureStartOnOtherNode();
} finally {
  rmSync(root, { recursive: true, force: true });
}
