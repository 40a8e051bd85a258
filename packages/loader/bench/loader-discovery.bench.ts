import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginLoader } from '../src/index';
import { median, printFigure, time, writeSmallPlugins } from './loader-bench-helpers';

// Discovery of 1,000 plugin folders (schema-checked manifests, problems collected) against a bare
// readdir + readFile + JSON.parse of the same files, both as concurrent as Node allows.
const COUNT = 1000;
const ROUNDS = 9;
const plugins = await writeSmallPlugins(COUNT);
const loader = new PluginLoader({ pluginDirectory: plugins.path });

async function bareDiscovery(): Promise<unknown[]> {
  const names = await readdir(plugins.path);
  return Promise.all(
    names.map(
      async (name) => JSON.parse(await readFile(join(plugins.path, name, 'plugin.json'), 'utf8')) as unknown,
    ),
  );
}

await bareDiscovery();
await loader.discoverPlugins();
const loaderTimes: number[] = [];
const bareTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bareTimes.push(await time(bareDiscovery));
  loaderTimes.push(
    await time(async () => {
      const found = await loader.discoverPlugins();
      if (found.length !== COUNT) throw new Error(`found ${found.length}`);
    }),
  );
}
await plugins.remove();

const value = median(loaderTimes);
const baseline = median(bareTimes);
printFigure({
  name: 'discovery of 1000 plugin folders vs bare readdir+readFile+JSON.parse (ratio, goal < 1.5)',
  value,
  unit: 'ms',
  baseline,
  ratio: value / baseline,
});
