import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { PluginMetadata } from '@agentplug/models';
import type { PluginHostOptions } from '../src/host/plugin-host';

/** One benchmark figure, printed as one JSON line. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  /** The machine's load averages (1, 5, 15 minutes) when the figure was measured, as `uptime` prints them. */
  load?: number[];
  /** Further fields printed as they are (a CPU-time ratio beside a wall-time one, round counts). */
  extra?: Record<string, unknown>;
}

/** The load averages now, to two decimals (the `load` of a figure). */
export function loadAverages(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

/**
 * The Node binary of the other of Node 20 and 24 than `major` names: AGENTPLUG_BENCH_OTHER_NODE,
 * else what `npx -p node@<other>` installs; undefined (with the reason on stderr) when neither works.
 */
export function findOtherNode(otherMajor: number, purpose: string): string | undefined {
  const given = process.env.AGENTPLUG_BENCH_OTHER_NODE;
  if (given !== undefined && given !== '') return given;
  const found = spawnSync('npx', ['--yes', '-p', `node@${otherMajor}`, 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  const path = found.stdout?.trim();
  if (found.status === 0 && path) return path;
  console.error(
    `no Node ${otherMajor} to measure ${purpose} on (set AGENTPLUG_BENCH_OTHER_NODE): ${found.error?.message ?? found.stderr}`,
  );
  return undefined;
}

/** Prints one figure as a JSON line, rounding to three significant decimals. */
export function printFigure(figure: BenchFigure): void {
  const round = (value: number): number => Number(value.toPrecision(4));
  const line: Record<string, unknown> = { name: figure.name, value: round(figure.value), unit: figure.unit };
  if (figure.baseline !== undefined) line.baseline = round(figure.baseline);
  if (figure.ratio !== undefined) line.ratio = round(figure.ratio);
  if (figure.load !== undefined) line.load = figure.load;
  if (figure.extra !== undefined) Object.assign(line, figure.extra);
  console.log(JSON.stringify(line));
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Milliseconds `task` takes. */
export async function time(task: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** A small plugin: a manifest with one capability and an ES module entry. */
export const smallPluginSource = `export class Plugin {
  constructor(metadata, config) { this.metadata = metadata; this.config = config; this.count = 0; }
  async initialize() { this.ready = true; }
  async activate() { this.active = true; }
  async deactivate() { this.active = false; }
  async cleanup() { this.ready = false; }
  add(params) { this.count += 1; return params.left + params.right; }
}
`;

/** The manifest of plugin number `index`. */
export function smallManifest(index: number): Record<string, unknown> {
  return {
    plugin_id: `com.bench.plugin-${index}`,
    name: `Bench plugin ${index}`,
    version: '1.0.0',
    description: 'A small plugin for benchmarks',
    author: 'agentplug bench',
    plugin_type: 'tool',
    entry_point: 'main',
    capabilities: [
      {
        name: 'add',
        description: 'Adds two numbers',
        parameters: {
          type: 'object',
          properties: { left: { type: 'number' }, right: { type: 'number' } },
          required: ['left', 'right'],
        },
      },
    ],
  };
}

/** Writes `count` small plugin folders into a new temporary directory and returns it. */
export async function writeSmallPlugins(count: number): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'agentplug-bench-'));
  for (let index = 0; index < count; index += 1) {
    const folder = join(path, `plugin-${String(index).padStart(4, '0')}`);
    await mkdir(folder);
    await writeFile(join(folder, 'plugin.json'), JSON.stringify(smallManifest(index), null, 2));
    await writeFile(join(folder, 'main.mjs'), smallPluginSource);
  }
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The host options of the benches' echo plugin (`main.mjs` in `pluginPath`): no permissions, in `sandbox`. */
export function echoHostOptions(
  pluginPath: string,
  sandbox: Pick<PluginHostOptions, 'sandbox' | 'processSandbox'>,
): PluginHostOptions {
  return {
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
    ...sandbox,
  };
}

/** Runs `count` pairs of the two sides, alternating which goes first, so neither always has the warmer machine. */
export async function alternatePairs(
  count: number,
  first: () => Promise<void>,
  second: () => Promise<void>,
): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    if (index % 2 === 0) {
      await first();
      await second();
    } else {
      await second();
      await first();
    }
  }
}

/** A bare worker that echoes every message on a transferred MessageChannel port. */
export async function startBareWorker(): Promise<{ port: MessageChannel['port1']; worker: Worker }> {
  const channel = new MessageChannel();
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     workerData.port.on('message', (message) => workerData.port.postMessage(message));
     workerData.port.postMessage('ready');`,
    { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2], execArgv: [] },
  );
  await new Promise((resolve) => channel.port1.once('message', resolve));
  return { port: channel.port1, worker };
}
