import { Worker } from 'node:worker_threads';
import type { PluginHost } from '../src/host/plugin-host';
import { createWorkerHost } from '../src/isolation/index';
import { echoHostOptions, startBareWorker } from './loader-bench-helpers';

const [side, countText, pluginPath = ''] = process.argv.slice(2);
const count = Number(countText);
const collectGarbage = globalThis.gc as () => void;

function startPlugin(): Promise<PluginHost> {
  return createWorkerHost(
    echoHostOptions(pluginPath, {
      sandbox: { max_execution_time_seconds: 30, max_memory_mb: 64, isolation: 'worker' },
    }),
  );
}

async function settle(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let index = 0; index < 3; index += 1) collectGarbage();
  return process.memoryUsage().rss;
}

if (side !== 'bare' && side !== 'plugin') throw new Error(`unknown side ${side}: bare or plugin`);
const before = await settle();
const resident: (Worker | PluginHost)[] = [];
for (let index = 0; index < count; index += 1)
  resident.push(side === 'bare' ? (await startBareWorker()).worker : await startPlugin());
const after = await settle();
console.log(JSON.stringify({ side, count, perResident: (after - before) / count }));
await Promise.all(
  resident.map((each) => (each instanceof Worker ? each.terminate() : (each as PluginHost).dispose())),
);
