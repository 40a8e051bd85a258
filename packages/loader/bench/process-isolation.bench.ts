// The process tier: start + policy + plugin load against a bare child_process.fork of an empty
// module, a call round trip against a raw IPC round trip between the same two processes, and the
// resident memory of a plugin's process (its whole tree: sh → bubblewrap → Node) beside a bare
// child's. With and without the OS sandbox when this machine has one. The raw round trip is fair
// to both sides: Node's IPC channel is a Unix socket pair carrying JSON lines, and the plugin's
// channel is a Unix socket pair too (file descriptor 3), carrying a plain call and a plain result as
// JSON frames (V8's format only for values JSON would change), and the raw messages have the same
// shape and size as the host's (a call `{ id, method, args, optional }` out, `{ type, id, value }`
// back). Round trips are timed in many short rounds, alternating which side goes first, and the
// ratio is the median of each round's ratio (paired, so a busy spell weighs on both). Run alone with:
//   node --conditions=@agentplug/source --import tsx bench/process-isolation.bench.ts
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginMetadata } from '@agentplug/models';
import type { PluginHost, PluginHostOptions, ProcessSandboxOptions } from '../src/host/plugin-host';
import { createProcessHost, detectOsSandbox } from '../src/isolation/index';
import { median, printFigure } from './loader-bench-helpers';

const calls = Number(process.env.AGENTPLUG_BENCH_CALLS ?? 600);
const rounds = Number(process.env.AGENTPLUG_BENCH_ROUNDS ?? 15);
const starts = Number(process.env.AGENTPLUG_BENCH_STARTS ?? 12);
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

const hostOptions = (processSandbox: ProcessSandboxOptions): PluginHostOptions => ({
  pluginId: 'com.bench.echo',
  pluginPath,
  entryModulePath: join(pluginPath, 'main.mjs'),
  metadata: { plugin_id: 'com.bench.echo', name: 'Echo', version: '1.0.0' } as unknown as PluginMetadata,
  config: {},
  permissions: {
    filesystem_read: [],
    filesystem_write: [],
    network_hosts: [],
    external_apis: [],
    environment_variables: [],
  },
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

async function measureStart(label: string, processSandbox: ProcessSandboxOptions): Promise<void> {
  const bare: number[] = [];
  const isolated: number[] = [];
  // Warm up both (and the OS sandbox probe), then alternate so neither gets a quieter machine.
  await stopChild(await forkBareChild());
  await (await createProcessHost(hostOptions(processSandbox))).dispose();
  for (let index = 0; index < starts; index += 1) {
    let started = performance.now();
    const child = await forkBareChild();
    bare.push(performance.now() - started);
    await stopChild(child);
    started = performance.now();
    const host = await createProcessHost(hostOptions(processSandbox));
    isolated.push(performance.now() - started);
    await host.dispose();
  }
  const value = median(isolated);
  const baseline = median(bare);
  printFigure({
    name: `process isolation${label}: start + policy + plugin load, per plugin (vs bare child_process.fork of an empty module, medians)`,
    value,
    unit: 'ms',
    baseline,
    ratio: value / baseline,
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
    name: `process isolation${label}: call round trip through the process host vs a raw IPC round trip (process.send) to a child, same message sizes (${rounds} paired rounds of ${calls} calls, medians)`,
    value: median(isolated.map((round) => round.wall)),
    unit: 'us/call',
    baseline: median(raw.map((round) => round.wall)),
    ratio: pairedRatio('wall'),
  });
  // CPU time is what a busy machine does not distort: both processes' user + system time per call
  // (read in clock ticks of 10 ms from /proc, so over a round, not per call).
  printFigure({
    name: `process isolation${label}: CPU time per call round trip, host and plugin process together, vs a raw IPC round trip (both processes, paired medians)`,
    value: median(isolated.map((round) => round.cpu)),
    unit: 'us CPU/call',
    baseline: median(raw.map((round) => round.cpu)),
    ratio: pairedRatio('cpu'),
  });
  await host.dispose();
  await stopChild(child);
}

async function measureMemory(label: string, processSandbox: ProcessSandboxOptions): Promise<void> {
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
    name: `process isolation${label}: RSS per resident plugin, its whole process tree (${resident} resident, vs a bare forked child)`,
    value: isolatedKb / resident / 1024,
    unit: 'MB',
    baseline: bareKb / resident / 1024,
    ratio: isolatedKb / bareKb,
  });
}

try {
  const status = await detectOsSandbox();
  const modes: [string, ProcessSandboxOptions][] = [[' without OS sandbox', { osSandbox: 'off' }]];
  if (status.available) modes.unshift([' with OS sandbox (bubblewrap)', {}]);
  else console.error(`no OS sandbox here: ${status.reason}`);
  for (const [label, options] of modes) {
    await measureStart(label, options);
    await measureRoundTrip(label, options);
    await measureMemory(label, options);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
