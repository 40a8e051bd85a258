import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginLoader } from '../src/index';
import { printFigure, smallPluginSource, writeSmallPlugins } from './loader-bench-helpers';

// Heap growth over 200 in-process reloads of one plugin whose code changes each time. ES modules
// cannot be evicted from Node's module map, so each reload leaves its module behind: this is the
// figure the README's hot-reload memory note quotes.
const RELOADS = 200;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (bench/index.ts does)');

const plugins = await writeSmallPlugins(1);
const entry = join(plugins.path, 'plugin-0000', 'main.mjs');
const loader = new PluginLoader({ pluginDirectory: plugins.path });
await loader.loadPlugin('com.bench.plugin-0');
await loader.activatePlugin('com.bench.plugin-0');

async function settledHeap(): Promise<number> {
  for (let pass = 0; pass < 4; pass += 1) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

// A few reloads first, so one-time costs (compiled loader paths, caches) are not counted.
for (let reload = 0; reload < 5; reload += 1) await loader.reloadPlugin('com.bench.plugin-0');
const before = await settledHeap();
const rssBefore = process.memoryUsage().rss;
for (let reload = 0; reload < RELOADS; reload += 1) {
  await writeFile(entry, `${smallPluginSource}\n// revision ${reload}\n`);
  await loader.reloadPlugin('com.bench.plugin-0');
}
const after = await settledHeap();
const rssAfter = process.memoryUsage().rss;
await loader.close();
await plugins.remove();

const growthMb = (after - before) / (1024 * 1024);
printFigure({ name: 'heap growth over 200 in-process reloads of one plugin', value: growthMb, unit: 'MB' });
printFigure({
  name: 'RSS growth over 200 in-process reloads of one plugin',
  value: (rssAfter - rssBefore) / (1024 * 1024),
  unit: 'MB',
});
printFigure({
  name: 'heap growth per in-process reload',
  value: (after - before) / RELOADS / 1024,
  unit: 'KB',
});
