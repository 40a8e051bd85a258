import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Options of {@link writePlugin}. */
export interface WritePluginOptions {
  pluginId: string;
  version: string;
  /** main.js source; default a plugin with a `greet` capability. */
  code?: string;
  permissions?: Record<string, string[]>;
  /** More plugin.json fields (config_schema, dependencies, ...), written over the defaults. */
  manifest?: Record<string, unknown>;
  /** More files by name (config.json, ...). */
  files?: Record<string, string>;
}

const GREETER = `export function createPlugin(metadata, config) {
  return { greet: ({ name }) => 'Hello, ' + name + '!' };
}
`;

/** Writes a plain JavaScript plugin folder and returns its path. */
export async function writePlugin(parent: string, options: WritePluginOptions): Promise<string> {
  const folder = join(parent, `${options.pluginId}-${options.version}`);
  await mkdir(folder, { recursive: true });
  const manifest = {
    plugin_id: options.pluginId,
    name: `Plugin ${options.pluginId}`,
    version: options.version,
    description: `Greets people (${options.version})`,
    author: 'agentplug tests',
    plugin_type: 'tool',
    entry_point: 'main',
    tags: ['greeting'],
    capabilities: [
      {
        name: 'greet',
        description: 'Greets someone',
        parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    ],
    permissions: options.permissions ?? {},
    ...options.manifest,
  };
  await writeFile(join(folder, 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(folder, 'main.js'), options.code ?? GREETER);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await writeFile(join(folder, name), content);
  }
  return folder;
}
