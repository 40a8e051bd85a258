import { PluginLoader } from '../src/index';
import { median, printFigure, time, writeSmallPlugins } from './loader-bench-helpers';

// The time invoke() adds to a call (state check, capability lookup, params schema check, in-flight
// accounting) against awaiting the same method on the instance directly.
const CALLS = 100_000;
const ROUNDS = 7;
const plugins = await writeSmallPlugins(1);
const loader = new PluginLoader({ pluginDirectory: plugins.path });
const state = await loader.loadPlugin('com.bench.plugin-0');
await loader.activatePlugin('com.bench.plugin-0');
const instance = state.instance as { add(params: { left: number; right: number }): number };
const params = { left: 1, right: 2 };

async function direct(): Promise<void> {
  for (let call = 0; call < CALLS; call += 1) await instance.add(params);
}

async function invoked(): Promise<void> {
  for (let call = 0; call < CALLS; call += 1) await loader.invoke('com.bench.plugin-0', 'add', params);
}

await direct();
await invoked();
const directTimes: number[] = [];
const invokeTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  directTimes.push(await time(direct));
  invokeTimes.push(await time(invoked));
}
await loader.close();
await plugins.remove();

const directPerCall = (median(directTimes) * 1000) / CALLS;
const invokePerCall = (median(invokeTimes) * 1000) / CALLS;
printFigure({
  name: 'invoke overhead per call vs direct method call (value = µs added, goal < 5)',
  value: invokePerCall - directPerCall,
  unit: 'µs',
  baseline: directPerCall,
  ratio: invokePerCall / directPerCall,
});
