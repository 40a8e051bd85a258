import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginValidator } from '@agentplug/validator';
import { PluginLoader } from '../src/index';
import { median, printFigure, time, writeSmallPlugins } from './loader-bench-helpers';

// Loading and activating 100 small plugins (validation on, results cached) against a bare
// import() of the same entry modules. Both sides import fresh module URLs each round, as a
// reload would, so neither profits from Node's module cache.
const COUNT = 100;
const ROUNDS = 7;
const plugins = await writeSmallPlugins(COUNT);
const ids = Array.from({ length: COUNT }, (_, index) => `com.bench.plugin-${index}`);
const entryUrls = (await readdir(plugins.path))
  .sort()
  .map((name) => pathToFileURL(join(plugins.path, name, 'main.mjs')).href);

const loader = new PluginLoader({ pluginDirectory: plugins.path, validator: new PluginValidator() });
await loader.discoverPlugins();
// Warm-up: the first validation of each plugin fills the caches the figure is about.
for (const id of ids) await loader.loadPlugin(id);
for (const id of ids) await loader.unloadPlugin(id);

let bareRound = 0;
const loaderTimes: number[] = [];
const bareTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bareTimes.push(
    await time(async () => {
      bareRound += 1;
      for (const url of entryUrls) {
        const module = (await import(`${url}?bare=${bareRound}`)) as {
          Plugin: new (...values: unknown[]) => object;
        };
        if (typeof module.Plugin !== 'function') throw new Error('bad module');
      }
    }),
  );
  loaderTimes.push(
    await time(async () => {
      for (const id of ids) {
        await loader.loadPlugin(id);
        await loader.activatePlugin(id);
      }
    }),
  );
  for (const id of ids) await loader.unloadPlugin(id);
}
await loader.close();
await plugins.remove();

const value = median(loaderTimes);
const baseline = median(bareTimes);
printFigure({
  name: 'load+activate 100 plugins (validation on, cached) vs bare import() (ratio, goal < 2)',
  value,
  unit: 'ms',
  baseline,
  ratio: value / baseline,
});
