// What the agent framework adapters' benches share (packages/ai-sdk, langchain, openai-agents):
// 100 small in-process plugins, interleaved timing with medians, the JSON line format, the
// figures of what an adapter's tool execute adds to loader.invoke, and the measure of how long an
// adapter's live tool set takes to follow one capability change.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One benchmark figure, printed as one JSON line. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

/** Prints one figure as a JSON line, to four significant digits. */
export function printFigure(figure: BenchFigure): void {
  const round = (value: number): number => Number(value.toPrecision(4));
  const line: Record<string, unknown> = { name: figure.name, value: round(figure.value), unit: figure.unit };
  if (figure.baseline !== undefined) line.baseline = round(figure.baseline);
  if (figure.ratio !== undefined) line.ratio = round(figure.ratio);
  console.log(JSON.stringify(line));
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * CPU microseconds per call of each task, measured in interleaved rounds (A, B, C, A, B, C, ...)
 * after a warm-up; the median round counts. The calls never wait for I/O (in-thread plugins,
 * settled in microtasks), so the process's CPU time is their cost, and on a shared machine the
 * time this process spends waiting for a core is left out of it.
 */
export async function measureCalls(
  tasks: readonly (() => Promise<unknown>)[],
  options: { calls: number; rounds: number },
): Promise<number[]> {
  const run = async (task: () => Promise<unknown>): Promise<number> => {
    const started = process.cpuUsage();
    for (let call = 0; call < options.calls; call += 1) await task();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / options.calls;
  };
  for (const task of tasks) await run(task);
  const rounds: number[][] = tasks.map(() => []);
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [index, task] of tasks.entries()) rounds[index]!.push(await run(task));
  }
  return rounds.map(median);
}

/** The params and ids the benches call with. */
export const BENCH_PLUGIN_ID = 'com.bench.plugin-0000';
export const BENCH_CAPABILITY = 'add';
export const BENCH_PARAMS: { left: number; right: number } = { left: 1, right: 2 };

/**
 * The capabilities the execute figures are taken for: `add` returns a number synchronously (the
 * loader arms no deadline for a call that is already over), `describe` is async and returns an
 * object (the loader registers a deadline, and the adapter turns the object into its result).
 */
export const BENCH_CALLS: readonly { capability: string; kind: string }[] = [
  { capability: 'add', kind: 'sync capability returning a number' },
  { capability: 'describe', kind: 'async capability returning an object' },
];

const pluginSource = `export class Plugin {
  add(params) { return params.left + params.right; }
  concat(params) { return params.left + params.right; }
  async describe(params) { return { left: params.left, right: params.right }; }
}
`;

function manifest(index: number): Record<string, unknown> {
  const parameters = (type: string) => ({
    type: 'object',
    properties: { left: { type }, right: { type } },
    required: ['left', 'right'],
    additionalProperties: false,
  });
  return {
    plugin_id: `com.bench.plugin-${String(index).padStart(4, '0')}`,
    name: `Bench plugin ${index}`,
    version: '1.0.0',
    description: 'A small plugin for the adapter benches',
    author: 'agentplug bench',
    plugin_type: 'tool',
    entry_point: 'main',
    capabilities: [
      { name: 'add', description: 'Adds two numbers', parameters: parameters('number') },
      { name: 'concat', description: 'Joins two strings', parameters: parameters('string') },
      { name: 'describe', description: 'Echoes both values', parameters: parameters('number') },
    ],
  };
}

/** The part of a PluginLoader the bench drives (the benches pass the real one). */
export interface BenchLoader {
  discoverPlugins(): Promise<{ plugin_id: string }[]>;
  loadPlugin(pluginId: string, options: { validate: boolean }): Promise<unknown>;
  activatePlugin(pluginId: string): Promise<unknown>;
  deactivatePlugin(pluginId: string): Promise<unknown>;
  listCapabilities(): unknown[];
  on(event: 'capabilitiesChanged', listener: () => void): () => void;
  invoke(
    pluginId: string,
    capability: string,
    params: unknown,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<unknown>;
  close(): Promise<void>;
}

/** A loader with `count` small plugins (three capabilities each) active in the host's thread. */
export async function startBenchLoader<Loader extends BenchLoader>(
  createLoader: (pluginDirectory: string) => Loader,
  count = 100,
): Promise<{ loader: Loader; close(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'agentplug-adapter-bench-'));
  for (let index = 0; index < count; index += 1) {
    const folder = join(path, `plugin-${index}`);
    await mkdir(folder);
    await writeFile(join(folder, 'plugin.json'), JSON.stringify(manifest(index)));
    await writeFile(join(folder, 'main.mjs'), pluginSource);
  }
  const loader = createLoader(path);
  for (const { plugin_id } of await loader.discoverPlugins()) {
    await loader.loadPlugin(plugin_id, { validate: false });
    await loader.activatePlugin(plugin_id);
  }
  return {
    loader,
    close: async () => {
      await loader.close();
      await rm(path, { recursive: true, force: true });
    },
  };
}

/**
 * CPU microseconds an adapter's live tool set takes to follow one capability change, median of
 * `cycles` deactivate/activate cycles of one plugin: the loader calls its capabilitiesChanged
 * listeners in order, so a listener added before the live set and one added after it bracket
 * exactly the live set's own update (re-listing, filtering, naming, building the changed tools,
 * updating the framework's object). `attach` creates the live set and returns its `close`.
 */
export async function measureLiveUpdate(
  loader: BenchLoader,
  attach: () => () => void,
  cycles = 200,
): Promise<number> {
  let started = process.cpuUsage();
  const durations: number[] = [];
  const stopBefore = loader.on('capabilitiesChanged', () => {
    started = process.cpuUsage();
  });
  const detach = attach();
  const stopAfter = loader.on('capabilitiesChanged', () => {
    const used = process.cpuUsage(started);
    durations.push(used.user + used.system);
  });
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    await loader.deactivatePlugin(BENCH_PLUGIN_ID);
    await loader.activatePlugin(BENCH_PLUGIN_ID);
  }
  stopAfter();
  detach();
  stopBefore();
  return median(durations.slice(Math.floor(durations.length / 4)));
}

/** CPU microseconds `loader.listCapabilities()` takes: the raw cost of reading what the live set follows. */
export async function measureListCapabilities(loader: BenchLoader): Promise<number> {
  const [perCall] = await measureCalls([async () => loader.listCapabilities()], { calls: 2000, rounds: 5 });
  return perCall!;
}

/**
 * Prints, for each of {@link BENCH_CALLS}, what an adapter's tool execute adds to a bare
 * `loader.invoke` (the goal) and to a `loader.invoke` with the time limit the adapter passes (its
 * own code apart from the loader's deadline), all three measured interleaved in the same run.
 * `executeOf` returns one call of the adapter's execute for a capability of {@link BENCH_PLUGIN_ID}.
 */
export async function printExecuteOverhead(options: {
  loader: BenchLoader;
  /** How the figures name the adapter's execute, e.g. `ai-sdk tool execute`. */
  label: string;
  executeOf(capability: string): () => Promise<unknown>;
  timeoutMs: number;
  calls: number;
}): Promise<void> {
  const { loader, label, timeoutMs } = options;
  for (const { capability, kind } of BENCH_CALLS) {
    const execute = options.executeOf(capability);
    const [bare, limited, adapter] = await measureCalls(
      [
        () => loader.invoke(BENCH_PLUGIN_ID, capability, BENCH_PARAMS),
        () => loader.invoke(BENCH_PLUGIN_ID, capability, BENCH_PARAMS, { timeoutMs }),
        execute,
      ],
      { calls: options.calls, rounds: 7 },
    );
    printFigure({
      name: `${label} vs bare loader.invoke, ${kind} (value = µs added, goal < 10)`,
      value: adapter! - bare!,
      unit: 'µs',
      baseline: bare!,
      ratio: adapter! / bare!,
    });
    printFigure({
      name: `${label} vs loader.invoke with the same time limit, ${kind} (value = µs the adapter itself adds)`,
      value: adapter! - limited!,
      unit: 'µs',
      baseline: limited!,
      ratio: adapter! / limited!,
    });
  }
}

/**
 * Prints how long an adapter's live tool set takes to follow one capability change with the
 * bench's active plugins, against `loader.listCapabilities()` (see {@link measureLiveUpdate}).
 */
export async function printLiveUpdate(
  loader: BenchLoader,
  label: string,
  attach: () => () => void,
): Promise<void> {
  const update = await measureLiveUpdate(loader, attach);
  const listing = await measureListCapabilities(loader);
  printFigure({
    name: `${label} update after one capability change, 100 active plugins, vs loader.listCapabilities (value = µs, goal < 1000)`,
    value: update,
    unit: 'µs',
    baseline: listing,
    ratio: update / listing,
  });
}
