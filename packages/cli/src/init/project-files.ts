import loaderPackage from '@agentplug/loader/package.json' with { type: 'json' };
import modelsPackage from '@agentplug/models/package.json' with { type: 'json' };
import { createConfigSchema, createManifest, type PluginType } from '@agentplug/sdk';
import sdkPackage from '@agentplug/sdk/package.json' with { type: 'json' };
import cliPackage from '../../package.json' with { type: 'json' };
import { getPluginTemplate } from './plugin-templates';

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

/**
 * The version range of the sdk a generated project depends on: the sdk this CLI was built with
 * (read when the CLI is built, so a release's CLI names the packages of the same release).
 */
export const SDK_RANGE: string = `^${sdkPackage.version}`;

/** The version a new plugin starts at, in plugin.json and package.json alike. */
const FIRST_VERSION = '0.1.0';

function testSource(extraTests: string): string {
  return `import assert from 'node:assert/strict';
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

// As a host runs it: the built bundle sandboxed, with only what plugin.json permits, in each tier a
// host may choose: a worker thread, and a child process (in an OS sandbox where bubblewrap works).
for (const isolation of ['worker', 'process']) {
  test(\`greet answers in the \${isolation} tier, with config applied\`, async () => {
    const host = await createTestHost({ pluginPath, isolation, config: { greeting: 'Hi' } });
    try {
      assert.equal(await host.invoke('greet', { name: 'Ada' }), 'Hi, Ada!');
      await assert.rejects(host.invoke('greet', { name: '' }), { code: 'INVALID_PARAMS' });
    } finally {
      await host.close();
    }
  });
}
${extraTests}`;
}

function tsconfig(linkedSdk: boolean): Record<string, unknown> {
  // tsc only checks types (noEmit): `agentplug build` writes dist/main.js, bundled.
  const compilerOptions: Record<string, unknown> = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  };
  if (linkedSdk) {
    // A linked sdk checkout is read from its TypeScript source, which uses bundler-style imports.
    Object.assign(compilerOptions, {
      module: 'ESNext',
      moduleResolution: 'Bundler',
      customConditions: ['@agentplug/source'],
    });
  }
  return { compilerOptions, include: ['src'] };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readme(options: ProjectFilesOptions): string {
  return `# ${options.name}

An agentplug ${options.pluginType} plugin (\`${options.pluginId}\`).

\`\`\`sh
npm install
npm run build                   # tsc checks the types; agentplug build bundles src/main.ts into dist/main.js
npm test                        # plugin.json matches the code; greet runs in a worker and in a child process
npx @agentplug/cli validate .   # security score, risk level, findings
npx @agentplug/cli pack --dry-run   # what would ship, with sizes
npx @agentplug/cli pack .       # ${options.pluginId}-${FIRST_VERSION}.tgz
\`\`\`

Capabilities live in \`src/main.ts\`; after changing one, run \`npx @agentplug/cli pack . --write-manifest\`
to regenerate plugin.json's capabilities from the zod schemas. The version lives in plugin.json and
package.json alike; \`pack\` refuses when they differ. \`.agentplugignore\` (gitignore syntax) changes
what ships.
`;
}

/** Every file of a new plugin project, by path relative to the project folder. */
export function createProjectFiles(options: ProjectFilesOptions): Record<string, string> {
  const template = getPluginTemplate(options.pluginType);
  const manifest = createManifest(template.definition, {
    $schema: './node_modules/@agentplug/models/plugin.schema.json',
    plugin_id: options.pluginId,
    name: options.name,
    version: FIRST_VERSION,
    description: `${options.name}: an agentplug ${options.pluginType} plugin`,
    author: options.author,
    entry_point: 'dist/main',
    permissions: {},
    tags: [],
  });
  const packageJson = {
    name: options.pluginId.split('.').at(-1) ?? 'plugin',
    // One version number: plugin.json's. `agentplug pack` refuses when the two differ.
    version: manifest.version,
    private: true,
    description: manifest.description,
    type: 'module',
    scripts: {
      build: 'tsc -p tsconfig.json && agentplug build',
      // No path: Node 20 runs the files under test/, Node 22+ its default globs (a folder argument
      // is an error there); both find test/plugin.test.mjs.
      test: 'node --test',
      validate: 'agentplug validate .',
      pack: 'agentplug pack .',
    },
    dependencies: { '@agentplug/sdk': options.sdkDependency },
    devDependencies: {
      '@agentplug/cli': `^${cliPackage.version}`,
      '@agentplug/loader': `^${loaderPackage.version}`,
      '@agentplug/models': `^${modelsPackage.version}`,
      '@types/node': '^20.19.0',
      typescript: '5.9.3',
    },
    engines: { node: '>=20.19' },
  };
  const config = createConfigSchema(template.definition)
    ? { plugin_id: options.pluginId, config: {} }
    : undefined;
  return {
    'package.json': json(packageJson),
    'tsconfig.json': json(tsconfig(options.linkedSdk)),
    'plugin.json': json(manifest),
    ...(config ? { 'config.json': json(config) } : {}),
    'src/main.ts': template.source,
    'test/plugin.test.mjs': testSource(template.extraTests),
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n.env*\n',
    'README.md': readme(options),
  };
}
