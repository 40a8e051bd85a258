import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PluginError } from '@agentplug/models';
import { writeFileAtomic } from '@agentplug/registry-client';

/**
 * Archives by content: `<folder>/sha256/ab/<64 hex>`. Writing the same bytes twice is one file,
 * and a file is never changed once written, so several instances can share the folder (a shared
 * volume) and a static host or object store can serve it with cache-forever headers.
 */
export interface BlobFolder {
  readonly directory: string;
  /** Stores bytes (atomically; nothing happens when they are already held) and answers their sha256. */
  write(bytes: Uint8Array): Promise<string>;
  /** The size of a held blob, or undefined. */
  size(sha256: string): Promise<number | undefined>;
  read(sha256: string): Promise<Buffer>;
  stream(sha256: string): Readable;
}

function pathOf(directory: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new PluginError('INVALID_ARGUMENT', `"${sha256}" is not a sha256 in hex`);
  return join(directory, 'sha256', sha256.slice(0, 2), sha256);
}

/** How many blobs a folder remembers having written, so writing one again costs no file system call. */
const REMEMBERED_WRITES = 4096;

/** Opens (creating when missing) a content-addressed blob folder. */
export async function openBlobFolder(directory: string): Promise<BlobFolder> {
  const root = join(directory, 'sha256');
  await mkdir(root, { recursive: true });
  // A publish stores its bytes before its round and names them in it: the round's write finds them
  // here. A blob is never changed or removed once written, so what this process wrote stays held.
  const written = new Set<string>();
  // The 256 shard folders, made when the folder opens (once per store: later opens find them), so
  // a write costs no mkdir; a shard removed behind this process's back is made again on demand.
  const shards = new Set<string>((await readdir(root)).filter((name) => /^[0-9a-f]{2}$/.test(name)));
  const missing = Array.from({ length: 256 }, (_, index) => index.toString(16).padStart(2, '0')).filter(
    (shard) => !shards.has(shard),
  );
  await Promise.all(missing.map((shard) => mkdir(join(root, shard), { recursive: true })));
  for (const shard of missing) shards.add(shard);
  return {
    directory,
    async write(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (written.has(sha256)) return sha256;
      const path = pathOf(directory, sha256);
      // No look first: a new blob (the usual case) would pay for the miss, and writing bytes that
      // are already held replaces them with the same bytes, atomically.
      const shard = sha256.slice(0, 2);
      if (!shards.has(shard)) {
        await mkdir(join(path, '..'), { recursive: true });
        shards.add(shard);
      }
      await writeFileAtomic(path, bytes).catch(async (error: unknown) => {
        // A shard folder removed behind this process's back: made again, written once more.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(join(path, '..'), { recursive: true });
        await writeFileAtomic(path, bytes);
      });
      if (written.size >= REMEMBERED_WRITES) written.clear();
      written.add(sha256);
      return sha256;
    },
    async size(sha256) {
      const info = await stat(pathOf(directory, sha256)).catch(() => undefined);
      return info?.isFile() ? info.size : undefined;
    },
    read: (sha256) => readFile(pathOf(directory, sha256)),
    stream: (sha256) => createReadStream(pathOf(directory, sha256)),
  };
}
