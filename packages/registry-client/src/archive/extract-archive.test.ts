import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PluginError, type PluginErrorCode } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../test/helpers/plugin-fixtures';
import { buildRawTgz } from '../../test/helpers/raw-tar';
import { createArchiveInflater, extractArchive } from './extract-archive';

async function expectRefused(archive: Buffer, code: PluginErrorCode, limits = {}): Promise<void> {
  const root = await createTemporaryFolder();
  const destination = join(root, 'out');
  const error = await extractArchive(archive, destination, limits).catch((caught: unknown) => caught);
  expect(PluginError.is(error) ? error.code : error).toBe(code);
  await expect(stat(destination)).rejects.toThrow();
}

const manifest = { name: 'plugin.json', data: '{}' };

describe('extractArchive', () => {
  it('extracts regular files and folders, stripping ./', async () => {
    const root = await createTemporaryFolder();
    const archive = buildRawTgz([
      { name: './', type: '5' },
      { name: './plugin.json', data: '{"a":1}' },
      { name: 'lib/', type: '5' },
      { name: 'lib/x.js', data: 'x' },
    ]);
    const result = await extractArchive(archive, join(root, 'out'));
    expect(result.files).toEqual(['plugin.json', 'lib/x.js']);
    expect(await readFile(join(root, 'out/lib/x.js'), 'utf8')).toBe('x');
  });

  it('reads archives made by the system tar', async () => {
    const root = await createTemporaryFolder();
    await writeFile(join(root, 'plugin.json'), '{}');
    execFileSync('tar', ['-czf', join(root, 'a.tgz'), '-C', root, 'plugin.json']);
    const result = await extractArchive(await readFile(join(root, 'a.tgz')), join(root, 'out'));
    expect(result.files).toEqual(['plugin.json']);
  });

  it.each([
    ['a ../ path', [manifest, { name: '../escape.js', data: 'x' }]],
    ['a nested ../ path', [manifest, { name: 'lib/../../escape.js', data: 'x' }]],
    ['an absolute path', [manifest, { name: '/tmp/agentplug-escape.js', data: 'x' }]],
    ['a symlink', [manifest, { name: 'link', type: '2', linkName: '/etc/passwd' }]],
    ['a hard link', [manifest, { name: 'link', type: '1', linkName: 'plugin.json' }]],
    ['a character device', [manifest, { name: 'tty', type: '3' }]],
    ['a FIFO', [manifest, { name: 'pipe', type: '6' }]],
    ['a duplicate entry', [manifest, { name: 'plugin.json', data: '{"b":1}' }]],
    ['a backslash path', [manifest, { name: '..\\escape.js', data: 'x' }]],
  ])('refuses %s with ARCHIVE_UNSAFE and writes nothing', async (_label, entries) => {
    await expectRefused(buildRawTgz(entries), 'ARCHIVE_UNSAFE');
  });

  it('refuses a gzip bomb with TOO_LARGE before inflating it', async () => {
    const bomb = buildRawTgz([manifest, { name: 'zeros.bin', data: Buffer.alloc(16 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200_000);
    await expectRefused(bomb, 'TOO_LARGE');
  });

  it('refuses a bomb by the ratio cap whether it is inflated in place (up to 16 KiB) or on the thread pool', async () => {
    const small = buildRawTgz([manifest, { name: 'zeros.bin', data: Buffer.alloc(4 * 1024 * 1024) }]);
    expect(small.length).toBeLessThanOrEqual(16 * 1024);
    await expectRefused(small, 'TOO_LARGE');
    const random = (await import('node:crypto')).randomBytes(64 * 1024);
    const large = buildRawTgz([
      manifest,
      { name: 'random.bin', data: random },
      { name: 'zeros.bin', data: Buffer.alloc(64 * 1024 * 1024) },
    ]);
    expect(large.length).toBeGreaterThan(16 * 1024);
    await expectRefused(large, 'TOO_LARGE');
    const root = await createTemporaryFolder();
    const plain = buildRawTgz([manifest, { name: 'random.bin', data: random }]);
    expect(plain.length).toBeGreaterThan(16 * 1024);
    expect((await extractArchive(plain, join(root, 'out'))).files).toEqual(['plugin.json', 'random.bin']);
    expect(await readFile(join(root, 'out/random.bin'))).toEqual(random);
  });

  it('refuses more content than maxTotalBytes and more entries than maxEntries with TOO_LARGE', async () => {
    const random = (await import('node:crypto')).randomBytes(10_000);
    await expectRefused(buildRawTgz([manifest, { name: 'big.bin', data: random }]), 'TOO_LARGE', {
      maxTotalBytes: 5_000,
    });
    const many = Array.from({ length: 20 }, (_, index) => ({ name: `f${index}.js`, data: 'x' }));
    await expectRefused(buildRawTgz([manifest, ...many]), 'TOO_LARGE', { maxEntries: 10 });
  });

  it('refuses data that is not gzip, and a corrupt header, with ARCHIVE_UNSAFE', async () => {
    await expectRefused(Buffer.from('not a gzip stream'), 'ARCHIVE_UNSAFE');
    const tar = Buffer.alloc(1536);
    tar.write('plugin.json', 0);
    await expectRefused(gzipSync(tar), 'ARCHIVE_UNSAFE');
  });
});

describe('createArchiveInflater', () => {
  const feed = async (archive: Buffer, expectedSize = archive.length) => {
    const inflater = createArchiveInflater(expectedSize);
    for (let offset = 0; offset < archive.length; offset += 1000)
      inflater.write(archive.subarray(offset, offset + 1000));
    return inflater.finish();
  };

  it('inflates chunk by chunk into the same checked files', async () => {
    const archive = buildRawTgz([manifest, { name: 'lib/x.js', data: 'x'.repeat(5000) }]);
    expect((await feed(archive)).map((file) => file.path)).toEqual(['plugin.json', 'lib/x.js']);
  });

  it('refuses a gzip bomb with TOO_LARGE, garbage with ARCHIVE_UNSAFE, and unsafe entries with ARCHIVE_UNSAFE', async () => {
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
      );
    const bomb = buildRawTgz([manifest, { name: 'zeros.bin', data: Buffer.alloc(16 * 1024 * 1024) }]);
    expect(await code(feed(bomb))).toBe('TOO_LARGE');
    expect(await code(feed(Buffer.from('definitely not gzip')))).toBe('ARCHIVE_UNSAFE');
    expect(await code(feed(buildRawTgz([manifest, { name: '../x', data: 'x' }])))).toBe('ARCHIVE_UNSAFE');
  });
});
