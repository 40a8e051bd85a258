import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathExists } from './path-exists';

describe('pathExists', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'agentplug-path-exists-'));
    await writeFile(join(folder, 'file.txt'), 'x');
    await symlink(join(folder, 'missing.txt'), join(folder, 'dangling'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('sees files and folders, and not what is missing', async () => {
    expect(await pathExists(join(folder, 'file.txt'))).toBe(true);
    expect(await pathExists(folder)).toBe(true);
    expect(await pathExists(join(folder, 'missing.txt'))).toBe(false);
  });

  it('counts a dangling link unless told to follow links', async () => {
    expect(await pathExists(join(folder, 'dangling'))).toBe(true);
    expect(await pathExists(join(folder, 'dangling'), { followLinks: true })).toBe(false);
  });
});
