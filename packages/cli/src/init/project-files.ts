import { createConfigSchema, createManifest, type PluginType } from '@agentplug/sdk';
import { templateDefinition } from './template-definition';

/** What `agentplug init` needs to know to write a project. */
export interface ProjectFilesOptions {
  pluginId: string;
  name: string;
  pluginType: PluginType;
  author: string;
  /** Version range of `@agentplug/sdk` written into package.json, or a `file:`/`link:` spec. */
  sdkDependency: string;
  /**
   * Set when the project links a local sdk checkout: tsc then reads the sdk's TypeScript source
   * through the `@agentplug/source` condition (for working on agentplug itself).
   */
  linkedSdk: boolean;
}

/** The version range of the sdk a generated project depends on. */
export const SDK_RANGE = '^0.1.0';

function pluginSource(pluginType: PluginType): string {
  return `import { definePlugin, z } from '@agentplug/sdk';

/**
 * The plugin. Each capability's params are a zod schema; the handler's parameter type is inferred
 * from it, and plugin.json's JSON Schema is generated from it (\`agentplug pack\` checks they agree).
 */
export const createPlugin = definePlugin({
  type: '${pluginType}',
  config: z.object({ greeting: z.string().default('Hello') }),
  capabilities: {
    greet: {
      description: 'Greets someone by name',
      params: z.object({ name: z.string().min(1).describe('Who to greet') }),
      handler: ({ name }, { config }) => \`\${config.greeting}, \${name}!\`,
    },
  },
});
`;
}

const TEST_SOURCE = `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkManifest } from '@agentplug/sdk';
import { createTestHost } from '@agentplug/sdk/testing';
import { createPlugin } from '../dist/main.js';

const pluginPath = fileURLToPath(new URL('..', import.meta.url));
const manifest = createRequire(import.meta.url)('../plugin.json');

test('plugin.json matches the code', () => {
  assert.deepEqual(checkManifest(createPlugin, manifest), []);
});

test('greet answers through the real loader, with config applied', async () => {
  const host = await createTestHost({ pluginPath, config: { greeting: 'Hi' } });
  try {
    assert.equal(await host.invoke('greet', { name: 'Ada' }), 'Hi, Ada!');
    await assert.rejects(host.invoke('greet', { name: '' }), { code: 'INVALID_PARAMS' });
  } finally {
    await host.close();
  }
});
`;

function tsconfig(linkedSdk: boolean): Record<string, unknown> {
  const compilerOptions: Record<string, unknown> = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    rootDir: 'src',
    outDir: 'dist',
    sourceMap: true,
    skipLibCheck: true,
    types: [],
  };
  if (linkedSdk) {
    // A linked sdk checkout is read from its TypeScript source, which uses bundler-style imports.
    Object.assign(compilerOptions, {
      module: 'ESNext',
      moduleResolution: 'Bundler',
      customConditions: ['@agentplug/source'],
      types: ['node'],
    });
  }
  return { compilerOptions, include: ['src'] };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every file of a new plugin project, by path relative to the project folder. */
export function createProjectFiles(options: ProjectFilesOptions): Record<string, string> {
  const definition = { ...templateDefinition, pluginType: options.pluginType };
  const manifest = createManifest(definition, {
    $schema: './node_modules/@agentplug/models/plugin.schema.json',
    plugin_id: options.pluginId,
    name: options.name,
    version: '0.1.0',
    description: `${options.name}: an agentplug ${options.pluginType} plugin`,
    author: options.author,
    entry_point: 'dist/main',
    permissions: {},
    tags: [],
  });
  const packageName = options.pluginId.split('.').at(-1) ?? 'plugin';
  const packageJson = {
    name: packageName,
    version: '0.1.0',
    private: true,
    description: manifest.description,
    type: 'module',
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: 'node --test test/',
      validate: 'agentplug validate .',
      pack: 'agentplug pack .',
    },
    dependencies: { '@agentplug/sdk': options.sdkDependency },
    devDependencies: { '@agentplug/cli': SDK_RANGE, '@agentplug/models': SDK_RANGE, typescript: '5.9.3' },
    engines: { node: '>=20.19' },
  };
  const config = createConfigSchema(definition) ? { plugin_id: options.pluginId, config: {} } : undefined;
  return {
    'package.json': json(packageJson),
    'tsconfig.json': json(tsconfig(options.linkedSdk)),
    'plugin.json': json(manifest),
    ...(config ? { 'config.json': json(config) } : {}),
    'src/main.ts': pluginSource(options.pluginType),
    'test/plugin.test.mjs': TEST_SOURCE,
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
    'README.md': `# ${options.name}

An agentplug ${options.pluginType} plugin (\`${options.pluginId}\`).

\`\`\`sh
npm install
npm run build   # tsc: src/main.ts -> dist/main.js (the entry_point in plugin.json)
npm test        # node --test: plugin.json matches the code, and greet works in the real loader
npx agentplug validate .
npx agentplug pack .
\`\`\`

Capabilities live in \`src/main.ts\`; after changing one, run \`npx agentplug pack . --write-manifest\` to
regenerate plugin.json's capabilities from the zod schemas.
`,
  };
}
