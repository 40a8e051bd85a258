import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginValidator } from '../src/index';
import { createPluginFolder, removePluginFolders } from './plugin-folder';

/**
 * Code that runs without being a script by its name: a link named as a script, a package.json
 * `main`, `exports` or `imports`, `__dirname` paths, and code loaded from outside the folder. Each
 * evasion is run under Node with the reach recorder first, then must make the plugin invalid with
 * the exact finding; each look-alike must stay valid.
 */
const recorder = fileURLToPath(new URL('./__fixtures__/reach-recorder.cjs', import.meta.url));
const SHELL = "require('child_process').execSync('id');\n";
const PLUGIN = 'class Plugin {}\nmodule.exports = { Plugin };\n';

let outside: string;
beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'agentplug-outside-'));
  await writeFile(join(outside, 'helper.js'), SHELL);
  await writeFile(
    join(outside, 'helper.mjs'),
    "import { execSync } from 'node:child_process';\nexecSync('id');\n",
  );
});
afterAll(async () => {
  await removePluginFolders();
  await rm(outside, { recursive: true, force: true });
});

interface LayoutCase {
  name: string;
  files: Record<string, string>;
  links?: Record<string, string>;
  /** The file Node runs (defaults to main.js). */
  entry?: string;
}

async function writeCase(layout: LayoutCase): Promise<string> {
  const files = Object.fromEntries(
    Object.entries(layout.files).map(([name, text]) => [name, text.replaceAll('OUTSIDE', outside)]),
  );
  const root = await createPluginFolder(files);
  for (const [link, target] of Object.entries(layout.links ?? {})) await symlink(target, join(root, link));
  return root;
}

/** Runs the plugin's entry under the reach recorder; resolves to the capabilities it reached. */
async function reach(root: string, entry: string): Promise<string[]> {
  const log = join(root, '..', `${root.split('/').pop()}.log`);
  await writeFile(log, '');
  const program = join(root, entry);
  const pluginRoot = await realpath(root);
  await new Promise<void>((resolve) => {
    execFile(
      process.execPath,
      ['--no-warnings', '--require', recorder, program],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: '/root',
          AGENTPLUG_REACH_LOG: log,
          AGENTPLUG_SNIPPET: program,
          AGENTPLUG_PLUGIN_ROOT: pluginRoot,
        },
        timeout: 20_000,
      },
      () => resolve(),
    );
  });
  const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  await rm(log, { force: true });
  return [...new Set(lines.map((line) => line.split('\t')[0]!))];
}

const validator = new PluginValidator({ scanIsolation: 'none', cache: false });

const EVASIONS: (LayoutCase & { finding: string; file: string })[] = [
  {
    name: 'the entry is a link to a .txt file',
    files: { 'payload.txt': SHELL + PLUGIN },
    links: { 'main.js': 'payload.txt' },
    finding: 'SHELL_EXEC',
    file: 'payload.txt',
  },
  {
    name: 'a required link to a .txt file',
    files: { 'main.js': `require('./lib.js');\n${PLUGIN}`, 'payload.txt': SHELL },
    links: { 'lib.js': 'payload.txt' },
    finding: 'SHELL_EXEC',
    file: 'payload.txt',
  },
  {
    name: 'a file required through a linked folder',
    files: { 'main.js': `require('./lib/payload.txt');\n${PLUGIN}`, 'real/payload.txt': SHELL },
    links: { lib: 'real' },
    finding: 'SHELL_EXEC',
    file: 'real/payload.txt',
  },
  {
    name: 'a folder whose package.json main is a .txt file',
    files: {
      'main.js': `require('./sub');\n${PLUGIN}`,
      'sub/package.json': '{"main":"impl.txt"}',
      'sub/impl.txt': SHELL,
    },
    finding: 'SHELL_EXEC',
    file: 'sub/impl.txt',
  },
  {
    name: 'a package of node_modules whose main is a .txt file',
    files: {
      'main.js': `require('helper');\n${PLUGIN}`,
      'node_modules/helper/package.json': '{"name":"helper","main":"lib.txt"}',
      'node_modules/helper/lib.txt': SHELL,
    },
    finding: 'SHELL_EXEC',
    file: 'node_modules/helper/lib.txt',
  },
  {
    name: 'a #name of package.json imports mapped to a .txt file',
    files: {
      'main.js': `require('#payload');\n${PLUGIN}`,
      'package.json': '{"imports":{"#payload":"./x.txt"}}',
      'x.txt': SHELL,
    },
    finding: 'SHELL_EXEC',
    file: 'x.txt',
  },
  {
    name: 'a subpath pattern of package.json exports, by self-reference',
    files: {
      'main.js': `require('red-team-self/lib/x');\n${PLUGIN}`,
      'package.json': '{"name":"red-team-self","exports":{".":"./main.js","./lib/*":"./lib/*.txt"}}',
      'lib/x.txt': SHELL,
    },
    finding: 'SHELL_EXEC',
    file: 'lib/x.txt',
  },
  {
    name: '__dirname joined to a .txt file',
    files: { 'main.js': `require(require('path').join(__dirname, 'x.txt'));\n${PLUGIN}`, 'x.txt': SHELL },
    finding: 'SHELL_EXEC',
    file: 'x.txt',
  },
  {
    name: 'an absolute path outside the folder',
    files: { 'main.js': `require('OUTSIDE/helper.js');\n${PLUGIN}` },
    finding: 'REACHES_SHELL',
    file: 'main.js',
  },
  {
    name: 'a relative path out of the folder',
    files: { 'main.js': `require('../' + require('path').basename('OUTSIDE') + '/helper.js');\n${PLUGIN}` },
    finding: 'REACHES_SHELL',
    file: 'main.js',
  },
  {
    name: 'a file: URL import',
    files: { 'main.mjs': "await import('file://OUTSIDE/helper.mjs');\nexport class Plugin {}\n" },
    entry: 'main.mjs',
    finding: 'REACHES_SHELL',
    file: 'main.mjs',
  },
];

const BENIGN: LayoutCase[] = [
  {
    name: 'a link named as a document to a document',
    files: { 'main.js': PLUGIN, 'README.md': '# Plugin\n\nIt does nothing.\n' },
    links: { 'docs.md': 'README.md' },
  },
  {
    name: 'a package.json exporting its entry, its types and its readme',
    files: {
      'main.js': PLUGIN,
      'package.json':
        '{"main":"main.js","exports":{".":{"types":"./main.d.ts","default":"./main.js"},"./README.md":"./README.md"}}',
      'main.d.ts': 'export declare class Plugin {}\n',
      'README.md': '# Plugin\n',
    },
  },
  {
    name: 'JSON data required through a link',
    files: { 'main.js': `console.log(require('./data.json').size);\n${PLUGIN}`, 'real.json': '{"size":1}' },
    links: { 'data.json': 'real.json' },
  },
  {
    name: 'a folder required by its index.js',
    files: { 'main.js': `require('./sub');\n${PLUGIN}`, 'sub/index.js': 'module.exports = 1;\n' },
  },
];

describe('code that is no script by its name, or lies outside the folder', () => {
  it.concurrent.each(EVASIONS)('$name: reaches shell under Node, and is $finding', async (layout) => {
    const root = await writeCase(layout);
    expect(await reach(root, layout.entry ?? 'main.js')).toContain('shell');
    const result = await validator.validatePlugin(root);
    expect(result.valid).toBe(false);
    const findings = result.findings.filter((finding) => finding.code === layout.finding);
    expect(
      findings.map((finding) => finding.file),
      JSON.stringify(result.findings, null, 2),
    ).toContain(layout.file);
  });

  it.concurrent.each(BENIGN)('$name: reaches nothing, and stays valid', async (layout) => {
    const root = await writeCase(layout);
    expect(await reach(root, layout.entry ?? 'main.js')).toEqual([]);
    const result = await validator.validatePlugin(root);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
