import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listEntryPointCandidates, PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveEntryPoint } from './resolve-entry-point';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agentplug-entry-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function touch(path: string): Promise<void> {
  await mkdir(join(folder, path, '..'), { recursive: true });
  await writeFile(join(folder, path), '');
}

describe('resolveEntryPoint', () => {
  it.each([
    ['main', 'main.js', ['main.js']],
    ['main', 'main.mjs', ['main.mjs']],
    ['main', 'main.cjs', ['main.cjs']],
    ['main', 'main/index.js', ['main/index.js']],
    ['main', 'main.js', ['main.js', 'main.mjs', 'main/index.js']],
    ['calculator.main', 'calculator/main.js', ['calculator/main.js']],
    ['calculator.main', 'calculator/main/index.js', ['calculator/main/index.js']],
    ['main.mjs', 'main.mjs', ['main.mjs']],
    ['lib/main', 'lib/main.cjs', ['lib/main.cjs']],
  ])('"%s" resolves to %s', async (entryPoint, expected, files) => {
    for (const file of files) await touch(file);
    expect(await resolveEntryPoint(folder, entryPoint)).toBe(join(folder, expected));
  });

  it('throws ENTRY_NOT_FOUND listing the candidates', async () => {
    const error = await resolveEntryPoint(folder, 'main').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_NOT_FOUND')).toBe(true);
    expect((error as PluginError).message).toContain('main.js, main.mjs, main.cjs, main/index.js');
  });

  it('refuses a symbolic link that leaves the plugin folder', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'agentplug-outside-'));
    await writeFile(join(outside, 'evil.js'), '');
    await symlink(join(outside, 'evil.js'), join(folder, 'main.js'));
    const error = await resolveEntryPoint(folder, 'main').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_NOT_FOUND')).toBe(true);
    await rm(outside, { recursive: true, force: true });
  });
});

describe('resolveEntryPoint follows the one entry-point rule of @agentplug/models', () => {
  const entryPoints = ['main', 'calculator.main', 'lib/main', 'lib\\main', 'main.mjs', 'src/index.cjs'];

  it.each(entryPoints)('"%s": finds each candidate alone, and the first of several', async (entryPoint) => {
    const candidates = listEntryPointCandidates(entryPoint);
    expect(candidates.length).toBeGreaterThan(3);
    for (const [index, candidate] of candidates.entries()) {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
      await touch(candidate);
      expect(await resolveEntryPoint(folder, entryPoint)).toBe(join(folder, candidate));
      // A later candidate inside a folder named like this file (`x.cjs/index.js`) cannot exist beside it.
      const later = candidates.slice(index + 1).filter((path) => !path.startsWith(`${candidate}/`));
      for (const path of later) await touch(path);
      expect(await resolveEntryPoint(folder, entryPoint)).toBe(join(folder, candidate));
    }
  });

  it('lists, when nothing matches, exactly the candidates models gives', async () => {
    const error = await resolveEntryPoint(folder, 'calculator.main').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_NOT_FOUND')).toBe(true);
    expect((error as PluginError).details.candidates).toEqual(listEntryPointCandidates('calculator.main'));
  });
});

describe('resolveEntryPoint with links inside the folder', () => {
  it('follows a symbolic link that stays inside the plugin folder', async () => {
    await touch('real/main.js');
    await symlink(join(folder, 'real'), join(folder, 'linked'));
    expect(await resolveEntryPoint(folder, 'linked.main')).toBe(join(folder, 'linked/main.js'));
  });

  it('refuses a linked folder that leaves the plugin folder', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'agentplug-outside-'));
    await writeFile(join(outside, 'main.js'), '');
    await symlink(outside, join(folder, 'lib'));
    const error = await resolveEntryPoint(folder, 'lib.main').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_NOT_FOUND')).toBe(true);
    await rm(outside, { recursive: true, force: true });
  });
});
