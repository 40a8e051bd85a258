import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBlobFolder } from './blob-folder';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-blobs-'));
  folders.push(folder);
  return folder;
}

describe('openBlobFolder', () => {
  it('keeps bytes by their sha256, once, and reads them back', async () => {
    const directory = await freshFolder();
    const blobs = await openBlobFolder(directory);
    const bytes = randomBytes(3000);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await blobs.write(bytes)).toBe(sha256);
    expect(await blobs.write(Buffer.from(bytes))).toBe(sha256);
    expect(await readdir(join(directory, 'sha256', sha256.slice(0, 2)))).toEqual([sha256]);
    expect(await blobs.size(sha256)).toBe(3000);
    expect(await blobs.read(sha256)).toEqual(bytes);
    expect(await blobs.size('0'.repeat(64))).toBeUndefined();
  });

  it('writes bytes another process already holds again, whole, and makes a removed shard folder again', async () => {
    const directory = await freshFolder();
    const bytes = randomBytes(1000);
    const sha256 = await (await openBlobFolder(directory)).write(bytes);
    // A second instance on the same folder: it has not seen the blob and writes it over, atomically.
    const other = await openBlobFolder(directory);
    expect(await other.write(bytes)).toBe(sha256);
    expect(await other.read(sha256)).toEqual(bytes);
    const shard = join(directory, 'sha256', sha256.slice(0, 2));
    expect(await readdir(shard)).toEqual([sha256]);
    // The folder removed behind its back: bytes for a shard it made before are written all the same.
    await rm(join(directory, 'sha256'), { recursive: true });
    let next = randomBytes(1000);
    while (createHash('sha256').update(next).digest('hex').slice(0, 2) !== sha256.slice(0, 2)) {
      next = randomBytes(1000);
    }
    const nextSha256 = await other.write(next);
    expect(nextSha256.slice(0, 2)).toBe(sha256.slice(0, 2));
    expect(await other.read(nextSha256)).toEqual(next);
  });

  it('refuses a name that is not a sha256', async () => {
    const blobs = await openBlobFolder(await freshFolder());
    expect(() => blobs.read('../../etc/passwd')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
