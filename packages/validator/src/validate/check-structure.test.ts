import { mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { listEntryPointCandidates } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { findEntryFile } from './check-structure';
import { collectPluginFiles } from './collect-plugin-files';

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A layout: files (path → content) and links (path → link target, as written). */
interface Layout {
  files: string[];
  links?: Record<string, string>;
}

async function createLayout(layout: Layout): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-entry-'));
  folders.push(root);
  const plugin = join(root, 'plugin');
  await mkdir(plugin);
  for (const file of layout.files) {
    await mkdir(dirname(join(plugin, file)), { recursive: true });
    await writeFile(join(plugin, file), 'export class Plugin {}\n');
  }
  for (const [path, target] of Object.entries(layout.links ?? {})) {
    await mkdir(dirname(join(plugin, path)), { recursive: true });
    await symlink(target, join(plugin, path));
  }
  // A file beside the plugin folder, for links that leave it.
  await writeFile(join(root, 'outside.js'), 'export class Plugin {}\n');
  return plugin;
}

/**
 * What the loader's resolveEntryPoint picks, computed from the disk itself: the first of models'
 * candidates that is a file once links are followed, and whose real path stays in the folder.
 */
async function loaderPick(folder: string, entryPoint: string): Promise<string | undefined> {
  const realFolder = await realpath(folder);
  for (const candidate of listEntryPointCandidates(entryPoint)) {
    const path = join(folder, candidate);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    const inside = relative(realFolder, await realpath(path));
    if (inside.startsWith(`..${sep}`) || inside === '..') return undefined;
    return candidate;
  }
  return undefined;
}

const CASES: readonly [entryPoint: string, layout: Layout, expected: string | undefined][] = [
  ['main', { files: ['main.js'] }, 'main.js'],
  ['main', { files: ['main.mjs'] }, 'main.mjs'],
  ['main', { files: ['main.cjs'] }, 'main.cjs'],
  ['main', { files: ['main/index.js'] }, 'main/index.js'],
  ['main', { files: ['main/index.mjs'] }, 'main/index.mjs'],
  ['main', { files: ['main/index.cjs'] }, 'main/index.cjs'],
  ['main', { files: ['main.js', 'main/index.js'] }, 'main.js'],
  ['main', { files: ['main.cjs', 'main.mjs'] }, 'main.mjs'],
  ['main', { files: ['main/index.cjs', 'main/index.mjs'] }, 'main/index.mjs'],
  ['calculator.main', { files: ['calculator/main.js'] }, 'calculator/main.js'],
  ['calculator.main', { files: ['calculator/main.cjs'] }, 'calculator/main.cjs'],
  ['calculator.main', { files: ['calculator/main/index.mjs'] }, 'calculator/main/index.mjs'],
  ['calculator.main', { files: ['calculator.main.js'] }, 'calculator.main.js'],
  ['calculator.main', { files: ['calculator.main.js', 'calculator/main.js'] }, 'calculator/main.js'],
  ['a.b.c', { files: ['a/b/c.mjs'] }, 'a/b/c.mjs'],
  ['lib/start', { files: ['lib/start.js'] }, 'lib/start.js'],
  ['lib/start', { files: ['lib/start/index.cjs'] }, 'lib/start/index.cjs'],
  ['lib\\start', { files: ['lib/start.js'] }, 'lib/start.js'],
  ['main.js', { files: ['main.js'] }, 'main.js'],
  ['main.mjs', { files: ['main.mjs', 'main/mjs.js'] }, 'main.mjs'],
  ['dist/index.cjs', { files: ['dist/index.cjs'] }, 'dist/index.cjs'],
  ['main', { files: ['src/real.js'], links: { 'main.js': 'src/real.js' } }, 'main.js'],
  ['main', { files: ['src/index.js'], links: { main: 'src' } }, 'main/index.js'],
  ['main', { files: ['lib/index.mjs'], links: { main: './lib' } }, 'main/index.mjs'],
  ['main', { files: [], links: { 'main.js': '../outside.js' } }, undefined],
  ['main', { files: ['other.js'] }, undefined],
  ['main', { files: ['main.ts', 'main.json'] }, undefined],
  ['main', { files: ['main.js/index.js'] }, undefined],
];

describe('findEntryFile: the validator and the loader resolve entry_point alike', () => {
  it.each(CASES)('%s in %j → %s', async (entryPoint, layout, expected) => {
    const folder = await createLayout(layout);
    const collected = await collectPluginFiles(folder, 100);
    const picked = findEntryFile(entryPoint, collected);
    expect(picked).toBe(expected);
    expect(picked).toBe(await loaderPick(folder, entryPoint));
  });

  it('treats a loop of links as not found', async () => {
    const folder = await createLayout({ files: [], links: { 'main.js': 'loop.js', 'loop.js': 'main.js' } });
    expect(findEntryFile('main', await collectPluginFiles(folder, 100))).toBeUndefined();
  });
});
