import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PluginValidator } from '../src/index';
import { median, print } from './report';

const FILES: Record<string, string> = {
  'plugin.json': JSON.stringify({
    plugin_id: 'com.example.hop',
    name: 'Hop',
    version: '1.0.0',
    description: 'a small plugin for the worker hop',
    author: 'bench',
    plugin_type: 'tool',
    entry_point: 'main',
    permissions: { filesystem_read: ['data'] },
  }),
  'main.js': `import { readFile } from 'node:fs/promises';\nimport { format } from './lib/format.js';\nexport class Plugin {\n  async run(name) { return format(await readFile(new URL('./data/x.json', import.meta.url), 'utf8'), name); }\n}\n${'// filler\n'.repeat(60)}`,
  'lib/format.js': `export function format(text, name) {\n  return \`\${name}: \${JSON.parse(text).value}\`;\n}\n${'export const unused = [1, 2, 3].map((x) => x * 2);\n'.repeat(40)}`,
  'lib/util.js': `export const clamp = (value, low, high) => Math.min(high, Math.max(low, value));\n${'export function noop() { return undefined; }\n'.repeat(40)}`,
};

/**
 * What running the scan in a worker costs a plugin: a small plugin (four files) validated with
 * the cache off, in the worker and in the calling thread, alternately, wall time (the worker's
 * time is the caller's wait). The worker is started before timing: a host pays that once.
 */
export async function benchWorkerHop(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-validator-hop-'));
  const isolated = new PluginValidator({ cache: false });
  const inThread = new PluginValidator({ cache: false, scanIsolation: 'none' });
  try {
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(join(folder, path, '..'), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    for (let round = 0; round < 20; round++) {
      await isolated.validatePlugin(folder);
      await inThread.validatePlugin(folder);
    }
    const worker: number[] = [];
    const thread: number[] = [];
    for (let round = 0; round < 60; round++) {
      for (const [validator, times] of round % 2 === 0
        ? ([
            [isolated, worker],
            [inThread, thread],
          ] as const)
        : ([
            [inThread, thread],
            [isolated, worker],
          ] as const)) {
        const started = performance.now();
        await validator.validatePlugin(folder);
        times.push(performance.now() - started);
      }
    }
    const workerMs = median(worker);
    const threadMs = median(thread);
    print(
      'worker-hop-per-plugin-ms (value = worker - in-thread, baseline = in-thread; 4 files, cache off, median of 60)',
      workerMs - threadMs,
      'ms',
      threadMs,
      workerMs / threadMs,
    );
  } finally {
    await isolated.close();
    await rm(folder, { recursive: true, force: true });
  }
}
