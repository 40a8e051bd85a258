// One side of the worker memory figure, in a fresh process of its own (isolation.bench.ts starts it):
//   node --conditions=@agentplug/source --import tsx --expose-gc bench/worker-memory-child.ts bare|plugin <count> <plugin folder>
// Starts <count> bare workers (an empty module that answers on a MessageChannel) or <count>
// worker-isolated echo plugins, keeps them all resident, and prints one JSON line: the growth of
// this process's RSS per resident, after garbage collection on both ends. A fresh process per side
// means neither side reuses memory the other one freed (the C allocator keeps freed pages for reuse,
// so the second of two sides measured in one process looks smaller than it is).
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { PluginMetadata } from '@agentplug/models';
import type { PluginHost } from '../src/host/plugin-host';
import { createWorkerHost } from '../src/isolation/index';

const [side, countText, pluginPath = ''] = process.argv.slice(2);
const count = Number(countText);
const collectGarbage = globalThis.gc as () => void;

async function startBareWorker(): Promise<Worker> {
  const channel = new MessageChannel();
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     workerData.port.on('message', (message) => workerData.port.postMessage(message));
     workerData.port.postMessage('ready');`,
    { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2], execArgv: [] },
  );
  await new Promise((resolve) => channel.port1.once('message', resolve));
  return worker;
}

function startPlugin(): Promise<PluginHost> {
  return createWorkerHost({
    pluginId: 'com.bench.echo',
    pluginPath,
    entryModulePath: join(pluginPath, 'main.mjs'),
    metadata: { id: 'com.bench.echo', name: 'Echo', version: '1.0.0' } as unknown as PluginMetadata,
    config: {},
    permissions: {
      filesystem_read: [],
      filesystem_write: [],
      network_hosts: [],
      external_apis: [],
      environment_variables: [],
    },
    sandbox: { max_execution_time_seconds: 30, max_memory_mb: 64, isolation: 'worker' },
  });
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
  resident.push(side === 'bare' ? await startBareWorker() : await startPlugin());
const after = await settle();
console.log(JSON.stringify({ side, count, perResident: (after - before) / count }));
await Promise.all(
  resident.map((each) => (each instanceof Worker ? each.terminate() : (each as PluginHost).dispose())),
);
