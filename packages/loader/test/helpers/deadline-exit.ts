// Run in a plain Node process: in-thread calls with a time limit, then nothing else to do. With
// `settled` both calls finish long before their limit and the process must exit at once (no
// timer of theirs may keep it alive); with `pending` the call never settles and the process must
// stay alive until its TIMEOUT. Prints one JSON line.
import { PluginLoader } from '../../src/index';
import { createPluginDirectory } from './plugin-folders';

const mode = process.argv[2];
const directory = await createPluginDirectory();
await directory.writePlugin({
  id: 'com.test.deadlines',
  manifest: { capabilities: [{ name: 'now' }, { name: 'later' }, { name: 'never' }] },
  files: {
    'main.mjs': `export class Plugin {
  now() { return 'now'; }
  async later() { await new Promise((resolve) => setTimeout(resolve, 5)); return 'later'; }
  never() { return new Promise(() => {}); }
}`,
  },
});
const loader = new PluginLoader({ pluginDirectory: directory.path });
await loader.loadPlugin('com.test.deadlines');
await loader.activatePlugin('com.test.deadlines');
if (mode === 'settled') {
  const limits = { timeoutMs: 120_000 };
  const results = [
    await loader.invoke('com.test.deadlines', 'now', {}, limits),
    await loader.invoke('com.test.deadlines', 'later', {}, limits),
  ];
  await loader.close();
  await directory.remove();
  console.log(JSON.stringify({ results }));
} else {
  const started = performance.now();
  loader.invoke('com.test.deadlines', 'never', {}, { timeoutMs: 300 }).catch(async (error: unknown) => {
    const elapsedMs = performance.now() - started;
    await loader.close();
    await directory.remove();
    console.log(
      JSON.stringify({ code: (error as { code?: string }).code, atLeastTheLimit: elapsedMs >= 300 }),
    );
  });
}
