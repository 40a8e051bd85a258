// Measures what serving a capability over MCP costs on top of calling it through the loader:
// the same `add` capability, called directly with `loader.invoke` (the baseline) and as an MCP
// tool through the official client over an in-memory transport. Prints one JSON line per figure.
import { performance } from 'node:perf_hooks';
import { PluginLoader } from '@agentplug/loader';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { activatePluginDirectory, createMcpServer } from '../src/index';
import { createPluginDirectory } from '../test/__fixtures__/plugin-folders';

const iterations = 2000;

async function measureMicroseconds(run: () => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 200; index += 1) await run();
  const started = performance.now();
  for (let index = 0; index < iterations; index += 1) await run();
  return ((performance.now() - started) * 1000) / iterations;
}

function print(name: string, value: number, baseline: number): void {
  const round = (figure: number) => Math.round(figure * 100) / 100;
  console.log(
    JSON.stringify({
      name,
      value: round(value),
      unit: 'µs/op',
      baseline: round(baseline),
      ratio: round(value / baseline),
    }),
  );
}

const directory = await createPluginDirectory();
const loader = new PluginLoader({ pluginDirectory: directory.path });
await activatePluginDirectory(loader);
const mcp = createMcpServer(loader);
const client = new Client({ name: 'bench', version: '1.0.0' });
const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
await mcp.connect(serverTransport);
await client.connect(clientTransport);

try {
  const invokeBaseline = await measureMicroseconds(() =>
    loader.invoke('com.example.calculator', 'add', { a: 2, b: 3 }),
  );
  const toolCall = await measureMicroseconds(() =>
    client.callTool({ name: 'com_example_calculator__add', arguments: { a: 2, b: 3 } }),
  );
  print('mcp tools/call vs loader.invoke (in-memory transport)', toolCall, invokeBaseline);

  const listBaseline = await measureMicroseconds(async () => loader.listCapabilities());
  const toolList = await measureMicroseconds(() => client.listTools());
  print('mcp tools/list vs loader.listCapabilities (in-memory transport)', toolList, listBaseline);
} finally {
  await client.close();
  await mcp.close();
  await loader.close();
  await directory.remove();
}
