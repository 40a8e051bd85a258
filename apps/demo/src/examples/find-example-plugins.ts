import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE_NAME, type ManifestIssue, type PluginMetadata, readManifest } from '@agentplug/models';

/** An example plugin folder and its parsed manifest. */
export interface ExamplePlugin {
  /** Folder name under examples/plugins, e.g. `calculator` or `mathlib-v1`. */
  folderName: string;
  /** Absolute path of the plugin folder. */
  folder: string;
  manifest: PluginMetadata;
  warnings: ManifestIssue[];
}

/**
 * Finds every folder with a plugin.json directly under `examplesFolder` and parses its manifest
 * with `readManifest`, sorted by plugin id then version.
 * @throws PluginError MANIFEST_INVALID, MANIFEST_UNREADABLE when an example's manifest is broken
 */
export async function findExamplePlugins(examplesFolder: string): Promise<ExamplePlugin[]> {
  const entries = await readdir(examplesFolder, { withFileTypes: true });
  const plugins: ExamplePlugin[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const folder = join(examplesFolder, entry.name);
    const files = await readdir(folder);
    if (!files.includes(MANIFEST_FILE_NAME)) continue;
    const { manifest, warnings } = await readManifest(folder);
    plugins.push({ folderName: entry.name, folder, manifest, warnings });
  }
  return plugins.sort(
    (left, right) =>
      left.manifest.plugin_id.localeCompare(right.manifest.plugin_id) ||
      left.manifest.version.localeCompare(right.manifest.version, undefined, { numeric: true }),
  );
}
