import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A minimal valid manifest; tests override what they need. */
export function createManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    plugin_id: 'com.example.fixture',
    name: 'Fixture',
    version: '1.0.0',
    description: 'A test plugin',
    author: 'Tests',
    plugin_type: 'tool',
    entry_point: 'main',
    ...overrides,
  };
}

const created: string[] = [];

/**
 * Writes a plugin folder in a fresh temporary directory. `files` maps relative paths to text;
 * plugin.json is written from `manifest` unless `files` has it or `manifest` is null.
 */
export async function createPluginFolder(
  files: Record<string, string>,
  manifest: Record<string, unknown> | null = createManifest(),
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-validator-'));
  created.push(root);
  const all = { ...files };
  if (manifest !== null && all['plugin.json'] === undefined)
    all['plugin.json'] = JSON.stringify(manifest, null, 2);
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** Removes every folder created by {@link createPluginFolder}. */
export async function removePluginFolders(): Promise<void> {
  await Promise.all(created.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}
