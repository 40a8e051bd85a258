import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../test/helpers/plugin-fixtures';
import { buildRawTgz, type RawTarEntry } from '../../test/helpers/raw-tar';
import { MAX_ENTRY_PATH_BYTES, MAX_ENTRY_PATH_SEGMENTS, normalizeEntryPath } from './entry-path';
import { extractArchive } from './extract-archive';
import { packPlugin } from './pack-plugin';
import { encodePaxRecords } from './tar-format';

const manifest: RawTarEntry = { name: 'plugin.json', data: '{}' };

/** A pax header naming the next entry `path`, whatever its ustar name says. */
function paxPath(path: string): RawTarEntry {
  return { name: 'PaxHeader/x', type: 'x', data: encodePaxRecords({ path }) };
}

async function extractInto(archive: Buffer): Promise<{ code: string; destination: string; root: string }> {
  const root = await createTemporaryFolder();
  const destination = join(root, 'out');
  const code = await extractArchive(archive, destination).then(
    () => 'extracted',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
  return { code, destination, root };
}

async function expectUnsafe(entries: readonly RawTarEntry[]): Promise<void> {
  const { code, destination, root } = await extractInto(buildRawTgz(entries));
  expect(code).toBe('ARCHIVE_UNSAFE');
  // Nothing was written: not the destination, nothing beside it.
  await expect(stat(destination)).rejects.toThrow();
  expect(await readdir(root)).toEqual([]);
}

describe('archive entry paths, every spelling of an escape or an alias', () => {
  it.each([
    ['a drive letter', 'C:/Windows/evil.js'],
    ['a drive-relative path', 'C:evil.js'],
    ['a UNC path', '//server/share/evil.js'],
    ['a trailing ".." segment', 'lib/..'],
    ['a ".." with a trailing slash', 'lib/../../'],
    ['a backslash traversal', 'lib\\..\\..\\evil.js'],
    ['an escape character (terminal control)', 'lib/\u001b[31mred.js'],
    ['a C1 control character', 'lib/\u009bevil.js'],
    ['a newline (log injection)', 'lib/a\nb.js'],
    ['a colon (an NTFS alternate stream)', 'plugin.json:hidden'],
    ['a trailing dot (plugin.json on Windows)', 'plugin.json.'],
    ['a trailing space', 'lib /x.js'],
    ['a Windows device name', 'lib/con.js'],
    ['a Windows device name in capitals', 'NUL'],
    ['fullwidth dots', '\uff0e\uff0e/evil.js'],
    ['a two-dot leader', 'lib/\u2025/evil.js'],
    ['a fullwidth solidus', 'lib\uff0fevil.js'],
    ['a wildcard character', 'lib/*.js'],
  ])('refuses %s (%j) in a ustar name with ARCHIVE_UNSAFE and writes nothing', async (_label, name) => {
    await expectUnsafe([manifest, { name, data: 'x' }]);
  });

  it.each([
    ['a NUL byte', 'main.js\u0000.txt'],
    ['a ".." segment', '../../outside.js'],
    ['an absolute path', '/tmp/agentplug-pax-escape.js'],
  ])('refuses %s in a pax path that disagrees with a harmless ustar name', async (_label, path) => {
    await expectUnsafe([manifest, paxPath(path), { name: 'harmless.js', data: 'x' }]);
  });

  it('refuses a GNU long name that escapes, whatever the ustar name says', async () => {
    await expectUnsafe([
      manifest,
      { name: '././@LongLink', type: 'L', data: '../../outside.js\0' },
      { name: 'ok.js', data: 'x' },
    ]);
  });

  it('refuses a folder entry spelled unsafely, though folders are only checked', async () => {
    await expectUnsafe([manifest, { name: 'lib\\..\\', type: '5' }]);
    await expectUnsafe([manifest, { name: 'C:/', type: '5' }]);
  });

  it.each([
    ['case twins of the manifest', ['plugin.json', 'PLUGIN.JSON']],
    ['case twins of a folder', ['Lib/a.js', 'lib/b.js']],
    ['composed and decomposed accents', ['caf\u00e9.js', 'cafe\u0301.js']],
    ['a fullwidth twin', ['main.js', '\uff4dain.js']],
    ['a file that a later entry uses as a folder', ['lib', 'LIB/x.js']],
    ['a folder that a later entry names as a file', ['lib/x.js', 'Lib']],
  ])('refuses %s (one file on a case-insensitive disk)', async (_label, names) => {
    await expectUnsafe([manifest, ...names.map((name) => ({ name, data: 'x' }))]);
  });

  it('refuses paths longer or deeper than the caps, and accepts them at the caps', async () => {
    const deepest = `${Array.from({ length: MAX_ENTRY_PATH_SEGMENTS - 1 }, () => 'd').join('/')}/f.js`;
    const longest = ['a', 'b', 'c', 'd']
      .map((letter) => letter.repeat(255))
      .join('/')
      .slice(0, -1)
      .concat('/x');
    expect(Buffer.byteLength(longest)).toBe(MAX_ENTRY_PATH_BYTES);
    const accepted = await extractInto(
      buildRawTgz([
        manifest,
        paxPath(deepest),
        { name: 'a', data: 'deep' },
        paxPath(longest),
        { name: 'b', data: 'long' },
      ]),
    );
    expect(accepted.code).toBe('extracted');
    expect(await readFile(join(accepted.destination, deepest), 'utf8')).toBe('deep');
    expect(await readFile(join(accepted.destination, longest), 'utf8')).toBe('long');

    await expectUnsafe([manifest, paxPath(`d/${deepest}`), { name: 'a', data: 'x' }]);
    await expectUnsafe([manifest, paxPath(`n/${longest}`), { name: 'a', data: 'x' }]);
    await expectUnsafe([manifest, paxPath(`${'x'.repeat(256)}.js`), { name: 'a', data: 'x' }]);
  });

  it('refuses a path nested 400,000 levels deep at once (it used to cost time quadratic in its depth)', async () => {
    // Incompressible filler raises the compression-ratio cap, so the inflated path fits under it.
    const filler = randomBytes(1024 * 1024);
    const path = `${'a/'.repeat(400_000)}f.js`;
    const archive = buildRawTgz([
      manifest,
      { name: 'filler.bin', data: filler },
      paxPath(path),
      { name: 'f', data: 'x' },
    ]);
    const started = performance.now();
    const { code } = await extractInto(archive);
    expect(code).toBe('ARCHIVE_UNSAFE');
    // Generous for a loaded machine; before the fix this took hours (40,000 levels: 15 s).
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('still extracts ordinary archives: "./" folders, non-ASCII names, dots inside names', async () => {
    const { code, destination } = await extractInto(
      buildRawTgz([
        { name: './', type: '5' },
        manifest,
        { name: 'docs/', type: '5' },
        paxPath('docs/r\u00e9sum\u00e9.md'),
        { name: 'docs/resume.md', data: 'fr' },
        { name: 'lib/.hidden/x.min.js', data: 'x' },
        { name: 'lib/a..b.js', data: 'y' },
      ]),
    );
    expect(code).toBe('extracted');
    expect(await readFile(join(destination, 'docs/r\u00e9sum\u00e9.md'), 'utf8')).toBe('fr');
    expect(await readFile(join(destination, 'lib/a..b.js'), 'utf8')).toBe('y');
  });

  it('normalises "." segments and repeated slashes, and names the root only for folders', () => {
    expect(normalizeEntryPath('./lib//index.js')).toBe('lib/index.js');
    expect(normalizeEntryPath('./', { folder: true })).toBe('');
    expect(() => normalizeEntryPath('./')).toThrow(expect.objectContaining({ code: 'ARCHIVE_UNSAFE' }));
  });
});

describe('packPlugin applies the same path rule', () => {
  it.each([
    ['a colon', { 'lib/a:b.js': 'x' }],
    ['case twins', { 'lib/Util.js': 'x', 'lib/util.js': 'y' }],
    ['a trailing dot', { 'notes.': 'x' }],
  ])('refuses a folder holding %s with ARCHIVE_UNSAFE and writes no archive', async (_label, files) => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(root, { plugin_id: 'com.example.names', version: '1.0.0' }, files);
    const output = join(root, 'out');
    const error = await packPlugin(folder, { outputDirectory: output }).catch((caught: unknown) => caught);
    expect(PluginError.is(error) ? error.code : error).toBe('ARCHIVE_UNSAFE');
    await expect(stat(output)).rejects.toThrow();
  });

  it('packs names the extractor accepts, and the result extracts', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.names', version: '1.0.0' },
      {
        'docs/r\u00e9sum\u00e9.md': 'x',
      },
    );
    await writeFile(join(folder, 'lib.v2.js'), 'y');
    const packed = await packPlugin(folder);
    const { code } = await extractInto(packed.archive);
    expect(code).toBe('extracted');
  });
});
