// Every isolation tier through the loader, against one raw baseline measured in the same run:
// - invoke latency: `loader.invoke` of a one-line method, per tier, vs calling the same method on
//   an instance of the same module imported into this process (no loader, no tier);
// - cold start: `loadPlugin` + `activatePlugin` of one plugin (a fresh module each time, validation
//   off), per tier, vs a bare `import()` of the same entry module under a fresh URL.
// The process tier is measured with its OS sandbox when this machine has one, and without it.
// Run alone with:
//   node --conditions=@agentplug/source --import tsx bench/isolation-tiers.bench.ts
import { pathToFileURL } from 'node:url';
import type { IsolationMode } from '@agentplug/models';
import { detectOsSandbox, PluginLoader } from '../src/index';
import { median, printFigure, time, writeSmallPlugins } from './loader-bench-helpers';

interface Tier {
  label: string;
  isolation: IsolationMode;
  osSandbox?: 'off';
}

const calls = Number(process.env.AGENTPLUG_BENCH_CALLS ?? 2000);
const starts = Number(process.env.AGENTPLUG_BENCH_STARTS ?? 10);
const pluginId = 'com.bench.plugin-0';
const params = { left: 1, right: 2 };

const plugins = await writeSmallPlugins(1);
const entryUrl = pathToFileURL(`${plugins.path}/plugin-0000/main.mjs`).href;

type Adder = { add(values: typeof params): number };
let importRound = 0;
async function importFresh(): Promise<Adder> {
  importRound += 1;
  const module = (await import(`${entryUrl}?round=${importRound}`)) as { Plugin: new () => Adder };
  return new module.Plugin();
}

const status = await detectOsSandbox();
const tiers: Tier[] = [
  { label: 'none', isolation: 'none' },
  { label: 'worker', isolation: 'worker' },
  { label: 'process without OS sandbox', isolation: 'process', osSandbox: 'off' },
];
if (status.available) tiers.push({ label: 'process with OS sandbox (bubblewrap)', isolation: 'process' });
else console.error(`no OS sandbox here, its figures are left out: ${status.reason}`);

function loaderFor(tier: Tier): PluginLoader {
  return new PluginLoader({
    pluginDirectory: plugins.path,
    defaultIsolation: tier.isolation,
    ...(tier.osSandbox === undefined ? {} : { processSandbox: { osSandbox: tier.osSandbox } }),
  });
}

/** Microseconds per call of `call`, the best of three timed rounds after a warm-up round. */
async function perCall(call: () => unknown): Promise<number> {
  const round = async (): Promise<number> => {
    const milliseconds = await time(async () => {
      for (let index = 0; index < calls; index += 1) await call();
    });
    return (milliseconds * 1000) / calls;
  };
  await round();
  const rounds: number[] = [];
  for (let index = 0; index < 3; index += 1) rounds.push(await round());
  return Math.min(...rounds);
}

async function measureInvoke(tier: Tier, rawMicroseconds: number): Promise<void> {
  const loader = loaderFor(tier);
  try {
    await loader.loadPlugin(pluginId, { validate: false });
    await loader.activatePlugin(pluginId);
    const value = await perCall(() => loader.invoke(pluginId, 'add', params));
    printFigure({
      name: `isolation tiers: invoke latency, ${tier.label} (vs a direct call on an in-process instance)`,
      value,
      unit: 'us/call',
      baseline: rawMicroseconds,
      ratio: value / rawMicroseconds,
    });
  } finally {
    await loader.close();
  }
}

async function measureColdStart(tier: Tier): Promise<void> {
  const loader = loaderFor(tier);
  const tierTimes: number[] = [];
  const bareTimes: number[] = [];
  try {
    // Warm up both (the runtime files, the OS sandbox probe), then alternate.
    await importFresh();
    await loader.loadPlugin(pluginId, { validate: false });
    await loader.unloadPlugin(pluginId);
    for (let index = 0; index < starts; index += 1) {
      bareTimes.push(await time(importFresh));
      tierTimes.push(
        await time(async () => {
          await loader.loadPlugin(pluginId, { validate: false });
          await loader.activatePlugin(pluginId);
        }),
      );
      await loader.unloadPlugin(pluginId);
    }
  } finally {
    await loader.close();
  }
  const value = median(tierTimes);
  const baseline = median(bareTimes);
  printFigure({
    name: `isolation tiers: cold start (load + activate), ${tier.label} (vs a bare import() of the entry module, medians)`,
    value,
    unit: 'ms',
    baseline,
    ratio: value / baseline,
  });
}

try {
  const instance = await importFresh();
  const rawMicroseconds = await perCall(() => instance.add(params));
  for (const tier of tiers) await measureInvoke(tier, rawMicroseconds);
  for (const tier of tiers) await measureColdStart(tier);
} finally {
  await plugins.remove();
}
