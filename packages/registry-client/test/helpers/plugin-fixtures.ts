// Shared with @agentplug/marketplace's tests, which import this file by path.
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginMetadataInput } from '@agentplug/models';

/** A fresh temporary folder. */
export function createTemporaryFolder(prefix = 'agentplug-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes a small plain-JS plugin (plugin.json and main.js whose `describe` capability returns its id and version). */
export async function writePluginFolder(
  root: string,
  manifest: Partial<PluginMetadataInput> & { plugin_id: string; version: string },
  extraFiles: Record<string, string | Buffer> = {},
): Promise<string> {
  const folder = join(
    root,
    `${manifest.plugin_id}-${manifest.version}-${Math.random().toString(16).slice(2)}`,
  );
  await mkdir(folder, { recursive: true });
  const full: PluginMetadataInput = {
    name: manifest.plugin_id.split('.').at(-1) ?? manifest.plugin_id,
    description: `The ${manifest.plugin_id} test plugin`,
    author: 'agentplug tests',
    plugin_type: 'tool',
    entry_point: 'main',
    capabilities: [{ name: 'describe', description: 'Says which plugin this is' }],
    ...manifest,
  };
  await writeFile(join(folder, 'plugin.json'), JSON.stringify(full, null, 2));
  await writeFile(
    join(folder, 'main.js'),
    `export class Plugin {\n  describe() {\n    return { id: ${JSON.stringify(manifest.plugin_id)}, version: ${JSON.stringify(manifest.version)} };\n  }\n}\n`,
  );
  for (const [name, content] of Object.entries(extraFiles)) {
    await mkdir(join(folder, name, '..'), { recursive: true });
    await writeFile(join(folder, name), content);
  }
  return folder;
}

/** Every file under a folder with its content, for "nothing changed" assertions. */
export async function snapshotFolder(folder: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(folder, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        snapshot[`${path}/`] = '';
        await walk(path);
      } else {
        snapshot[path] = (await readFile(join(folder, path))).toString('base64');
      }
    }
  };
  await walk('');
  return snapshot;
}
