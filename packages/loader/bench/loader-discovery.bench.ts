import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginLoader } from '../src/index';
import { median, printFigure, time, writeSmallPlugins } from './loader-bench-helpers';

// Discovery of 1,000 plugin folders (schema-checked manifests, problems collected) against a bare
// readdir + readFile + JSON.parse of the same files, both as concurrent as Node allows. "cold" is a
// new loader each round (every manifest schema-checked); "re-discovery" is one loader discovering
// again, which skips the schema check of manifests whose text did not change.
const COUNT = 1000;
const ROUNDS = 9;
const plugins = await writeSmallPlugins(COUNT);

async function bareDiscovery(): Promise<unknown[]> {
  const names = await readdir(plugins.path);
  return Promise.all(
    names.map(
      async (name) => JSON.parse(await readFile(join(plugins.path, name, 'plugin.json'), 'utf8')) as unknown,
    ),
  );
}

async function discoverWith(loader: PluginLoader): Promise<void> {
  const found = await loader.discoverPlugins();
  if (found.length !== COUNT) throw new Error(`found ${found.length}`);
}

const warmLoader = new PluginLoader({ pluginDirectory: plugins.path });
for (let round = 0; round < 3; round += 1) {
  await bareDiscovery();
  await discoverWith(new PluginLoader({ pluginDirectory: plugins.path }));
  await discoverWith(warmLoader);
}
const coldTimes: number[] = [];
const warmTimes: number[] = [];
const bareTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bareTimes.push(await time(bareDiscovery));
  coldTimes.push(await time(() => discoverWith(new PluginLoader({ pluginDirectory: plugins.path }))));
  warmTimes.push(await time(() => discoverWith(warmLoader)));
}
await plugins.remove();

const baseline = median(bareTimes);
const cold = median(coldTimes);
const warm = median(warmTimes);
printFigure({
  name: 'discovery of 1000 plugin folders, cold, vs bare readdir+readFile+JSON.parse (ratio, goal < 1.5)',
  value: cold,
  unit: 'ms',
  baseline,
  ratio: cold / baseline,
});
printFigure({
  name: 're-discovery of 1000 unchanged plugin folders vs bare readdir+readFile+JSON.parse (ratio)',
  value: warm,
  unit: 'ms',
  baseline,
  ratio: warm / baseline,
});
