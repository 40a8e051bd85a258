// Run in a plain Node process (not under vitest, whose module runner replaces Node's loader):
// loads an ES module plugin whose entry imports a helper, edits the helper, reloads, and prints
// what the plugin answered before and after as one JSON line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginLoader } from '../../src/index';
import { createPluginDirectory } from './plugin-folders';

const directory = await createPluginDirectory();
const folder = await directory.writePlugin({
  id: 'com.test.nested',
  manifest: { capabilities: [{ name: 'which' }] },
  files: {
    'main.mjs':
      'import { label } from "./lib/label.mjs";\nexport class Plugin { which() { return label(); } }',
    'lib/label.mjs': 'import { prefix } from "../prefix.mjs";\nexport const label = () => prefix + "first";',
    'prefix.mjs': 'export const prefix = "a-";',
  },
});
const loader = new PluginLoader({ pluginDirectory: directory.path });
await loader.loadPlugin('com.test.nested');
await loader.activatePlugin('com.test.nested');
const before = await loader.invoke('com.test.nested', 'which');
await writeFile(
  join(folder, 'lib/label.mjs'),
  'import { prefix } from "../prefix.mjs";\nexport const label = () => prefix + "second";',
);
await writeFile(join(folder, 'prefix.mjs'), 'export const prefix = "b-";');
await loader.reloadPlugin('com.test.nested');
const after = await loader.invoke('com.test.nested', 'which');
await loader.close();
await directory.remove();
console.log(JSON.stringify({ before, after }));
