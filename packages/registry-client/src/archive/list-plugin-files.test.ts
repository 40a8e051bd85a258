import { readdir } from 'node:fs/promises';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../test/helpers/plugin-fixtures';
import { listPluginFiles } from './list-plugin-files';
import { packPlugin } from './pack-plugin';

// Assembled at run time so this file itself does not look like it holds credentials.
const OPENAI_KEY = ['sk-proj-', 'a1B2c3D4e5F6g7H8i9J0'.repeat(3)].join('');
const PRIVATE_KEY = [
  '-----BEGIN ',
  'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
].join('');
const AWS_KEY = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');

async function paths(folder: string): Promise<string[]> {
  return (await listPluginFiles(folder)).files.map((file) => file.path);
}

describe('listPluginFiles: what ships', () => {
  it('leaves out secrets, keys, version control, dependencies, editor and OS files by default', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.stray', version: '1.0.0' },
      {
        '.env': 'PORT=3000\n',
        '.env.production': 'PORT=80\n',
        'certs/server.pem': 'not really a pem\n',
        'certs/server.key': 'not really a key\n',
        '.npmrc': 'save-exact=true\n',
        '.git/HEAD': 'ref: refs/heads/main\n',
        'node_modules/left-pad/index.js': 'module.exports = 1;\n',
        '.DS_Store': 'x',
        '.vscode/settings.json': '{}',
        'notes.txt~': 'backup',
        'debug.log': 'log',
        'lib/helper.js': 'export const helper = 1;\n',
      },
    );
    expect(await paths(folder)).toEqual(['lib/helper.js', 'main.js', 'plugin.json']);
  });

  it('reports each file with its size, sorted by path', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.sizes', version: '1.0.0' },
      { 'b.txt': 'abc', 'a.txt': 'abcdef' },
    );
    const { files } = await listPluginFiles(folder);
    expect(files.slice(0, 2)).toEqual([
      { path: 'a.txt', size: 6 },
      { path: 'b.txt', size: 3 },
    ]);
  });

  it('leaves sources, tests and tool configuration home when the plugin has a build', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.built', version: '1.0.0', entry_point: 'dist/main' },
      {
        'package.json': JSON.stringify({ type: 'module', scripts: { build: 'agentplug build' } }),
        'package-lock.json': '{}',
        'tsconfig.json': '{}',
        'src/main.ts': 'export {};\n',
        'test/plugin.test.mjs': 'test',
        'dist/main.js': 'export class Plugin {}\n',
        'dist/main.d.ts': 'export {};\n',
        'README.md': '# built',
      },
    );
    expect(await paths(folder)).toEqual([
      'README.md',
      'dist/main.d.ts',
      'dist/main.js',
      'main.js',
      'package.json',
      'plugin.json',
    ]);
  });

  it('keeps sources and tests of a plugin without a build', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.plain', version: '1.0.0' },
      { 'test/main.test.js': 'test', 'src/helper.js': 'export {};' },
    );
    expect(await paths(folder)).toEqual(['main.js', 'plugin.json', 'src/helper.js', 'test/main.test.js']);
  });

  it('lets .agentplugignore leave more out and bring a default back with "!"', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.custom', version: '1.0.0' },
      {
        '.agentplugignore': '# local only\ndocs/\n*.draft.md\n!.env.example\n',
        '.env.example': 'API_KEY=\n',
        'docs/guide.md': 'guide',
        'notes.draft.md': 'draft',
        'keep.md': 'keep',
      },
    );
    expect(await paths(folder)).toEqual(['.env.example', 'keep.md', 'main.js', 'plugin.json']);
  });

  it('ships the production dependencies in node_modules, and only those, when asked', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.modules', version: '1.0.0' },
      {
        'package.json': JSON.stringify({
          dependencies: { '@scope/used': '1.0.0' },
          devDependencies: { typescript: '5.9.3' },
        }),
        'node_modules/@scope/used/package.json': JSON.stringify({
          dependencies: { nested: '1', hoisted: '1' },
        }),
        'node_modules/@scope/used/index.js': 'module.exports = 1;',
        'node_modules/@scope/used/node_modules/nested/index.js': 'module.exports = 2;',
        'node_modules/hoisted/index.js': 'module.exports = 3;',
        'node_modules/typescript/lib/tsc.js': 'dev only',
        'node_modules/.bin/tsc': 'link',
        'node_modules/.package-lock.json': '{}',
      },
    );
    const { files } = await listPluginFiles(folder, { includeNodeModules: true });
    expect(files.map((file) => file.path).filter((path) => path.startsWith('node_modules/'))).toEqual([
      'node_modules/@scope/used/index.js',
      'node_modules/@scope/used/node_modules/nested/index.js',
      'node_modules/@scope/used/package.json',
      'node_modules/hoisted/index.js',
    ]);
    expect(await paths(folder)).not.toContain('node_modules/hoisted/index.js');
  });
});

describe('listPluginFiles: the secret scan', () => {
  it.each([
    [
      'config.json',
      JSON.stringify({ plugin_id: 'x', config: { apiKey: OPENAI_KEY } }),
      'an OpenAI API key',
      1,
    ],
    ['keys/deploy', `# deploy key\n${PRIVATE_KEY}`, 'a private key', 2],
    ['lib/aws.js', `export const id = '${AWS_KEY}';\n`, 'an AWS access key id', 1],
  ])('refuses %s with SECRET_DETECTED, naming the file and why', async (path, content, kind, line) => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.secret', version: '1.0.0' },
      { [path]: content },
    );
    const error = await packPlugin(folder, { outputDirectory: root }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'SECRET_DETECTED')).toBe(true);
    expect((error as PluginError).message).toBe(
      `${path} looks like it holds ${kind} (line ${line}): refusing to pack it`,
    );
    expect((error as PluginError).details).toEqual({ path, kind, line, allowWith: `!${path}` });
    // Nothing was written.
    expect((await readdir(root)).filter((name) => name.endsWith('.tgz'))).toEqual([]);
  });

  it('refuses a .env brought back by a wildcard, and ships one the ignore file names exactly', async () => {
    const root = await createTemporaryFolder();
    const wildcard = await writePluginFolder(
      root,
      { plugin_id: 'com.example.wildcard', version: '1.0.0' },
      { '.agentplugignore': '!.env*\n', '.env': `OPENAI_API_KEY=${OPENAI_KEY}\n` },
    );
    const error = await listPluginFiles(wildcard).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'SECRET_DETECTED')).toBe(true);
    expect((error as PluginError).message).toBe(
      '.env looks like it holds an OpenAI API key (line 1): refusing to pack it',
    );

    const named = await writePluginFolder(
      root,
      { plugin_id: 'com.example.named', version: '1.0.0' },
      { '.agentplugignore': '!.env\n', '.env': `OPENAI_API_KEY=${OPENAI_KEY}\n` },
    );
    expect(await paths(named)).toEqual(['.env', 'main.js', 'plugin.json']);
  });

  it('does not flag look-alikes: the word "private key", short prefixes, binary files', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.benign', version: '1.0.0' },
      {
        'README.md': 'Pass your private key through the environment; keys look like sk-... or AKIA....\n',
        'lib/tokens.js': "export const prefixes = ['ghp_', 'xoxb-', 'npm_'];\n",
        'image.bin': Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(PRIVATE_KEY)]),
      },
    );
    expect(await paths(folder)).toEqual([
      'README.md',
      'image.bin',
      'lib/tokens.js',
      'main.js',
      'plugin.json',
    ]);
  });
});
