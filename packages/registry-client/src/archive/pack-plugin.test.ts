import { execFileSync } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../test/helpers/plugin-fixtures';
import { extractArchive } from './extract-archive';
import { packPlugin } from './pack-plugin';

describe('packPlugin', () => {
  it('packs the same folder into the same bytes, plugin.json at the root, entries sorted', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.pack', version: '1.2.3' },
      {
        'lib/b.js': 'export const b = 2;\n',
        'lib/a.js': 'export const a = 1;\n',
      },
    );
    const first = await packPlugin(folder);
    const second = await packPlugin(folder, { outputDirectory: join(root, 'out') });
    expect(second.sha256).toBe(first.sha256);
    expect(second.archive.equals(first.archive)).toBe(true);
    expect(first.fileName).toBe('com.example.pack-1.2.3.tgz');
    expect(first.files).toEqual(['lib/a.js', 'lib/b.js', 'main.js', 'plugin.json']);
    expect((await readFile(second.archivePath ?? '')).equals(first.archive)).toBe(true);
    const listing = execFileSync('tar', ['-tzvf', second.archivePath ?? ''], { encoding: 'utf8' });
    expect(listing).toContain('plugin.json');
    expect(listing).toContain('1985-10-26');
  });

  it('leaves out an archive an earlier pack wrote into the folder, so packing twice gives the same bytes', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(root, { plugin_id: 'com.example.repack', version: '1.0.0' }, {});
    const first = await packPlugin(folder, { outputDirectory: folder });
    const second = await packPlugin(folder);
    expect(second.files).toEqual(['main.js', 'plugin.json']);
    expect(second.archive.equals(first.archive)).toBe(true);
  });

  it('keeps paths longer than 100 bytes through a pax header, readable by system tar and our extractor', async () => {
    const root = await createTemporaryFolder();
    const longPath = `${'deep/'.repeat(25)}file.js`;
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.long', version: '1.0.0' },
      { [longPath]: 'x' },
    );
    const { archive, archivePath } = await packPlugin(folder, { outputDirectory: root });
    expect(execFileSync('tar', ['-tzf', archivePath ?? ''], { encoding: 'utf8' })).toContain(longPath);
    const destination = join(root, 'extracted');
    const result = await extractArchive(archive, destination);
    expect(result.files).toContain(longPath);
    expect(await readFile(join(destination, longPath), 'utf8')).toBe('x');
  });

  it('refuses a folder holding a symlink with ARCHIVE_UNSAFE', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(root, { plugin_id: 'com.example.link', version: '1.0.0' });
    await symlink('/etc/passwd', join(folder, 'passwd'));
    const error = await packPlugin(folder).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ARCHIVE_UNSAFE')).toBe(true);
  });

  it('refuses a folder without plugin.json with MANIFEST_NOT_FOUND', async () => {
    const root = await createTemporaryFolder();
    const error = await packPlugin(root).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'MANIFEST_NOT_FOUND')).toBe(true);
  });
});
