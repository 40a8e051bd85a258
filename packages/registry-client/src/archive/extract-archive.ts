import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { PluginError } from '@agentplug/models';
import { EntryPaths, normalizeEntryPath } from './entry-path';
import { BLOCK_SIZE, decodeHeader, decodePaxRecords, paddingAfter } from './tar-format';

const gunzipAsync = promisify(gunzip);

/** Caps applied while extracting an archive. */
export interface ExtractionLimits {
  /** Most bytes of file content in total. Default 256 MiB. */
  maxTotalBytes?: number;
  /** Most entries (files, folders and headers). Default 10,000. */
  maxEntries?: number;
  /** Most uncompressed bytes per compressed byte. Default 200. */
  maxCompressionRatio?: number;
}

/** The default {@link ExtractionLimits}. */
export const DEFAULT_EXTRACTION_LIMITS: Required<ExtractionLimits> = {
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
  maxCompressionRatio: 200,
};

/** One file read from an archive. */
export interface ArchiveFile {
  /** Relative path with forward slashes, checked safe. */
  path: string;
  mode: number;
  data: Buffer;
}

/** What {@link extractArchive} wrote. */
export interface ExtractArchiveResult {
  files: string[];
  totalBytes: number;
}

function unsafe(message: string, path?: string): PluginError {
  return new PluginError('ARCHIVE_UNSAFE', message, { details: path === undefined ? {} : { path } });
}

/**
 * Archives up to this many compressed bytes are inflated on the calling thread: a plugin of a few
 * kilobytes inflates in tens of microseconds, less than the thread-pool round trip costs, and the
 * ratio cap bounds the worst (16 KiB at 200:1 is 3.2 MiB, a few milliseconds).
 */
const INFLATE_IN_PLACE_MAX_BYTES = 16 * 1024;

/** Compressed bytes gathered before each inflate call while streaming. */
const INFLATE_BATCH_BYTES = 256 * 1024;

function resolveCaps(limits: ExtractionLimits): Required<ExtractionLimits> {
  return { ...DEFAULT_EXTRACTION_LIMITS, ...limits };
}

/** Most bytes a `.tgz` of `compressedSize` bytes may inflate to under `caps`. */
function computeInflateCap(compressedSize: number, caps: Required<ExtractionLimits>): number {
  // Headers and padding cost at most two blocks per entry beyond the content, plus the end blocks.
  const tarOverhead = (caps.maxEntries + 2) * BLOCK_SIZE * 3 + 10_240;
  return Math.min(caps.maxTotalBytes + tarOverhead, Math.max(compressedSize, 1) * caps.maxCompressionRatio);
}

function tooLarge(
  compressedBytes: number,
  cap: number,
  caps: Required<ExtractionLimits>,
  cause?: unknown,
): PluginError {
  return new PluginError(
    'TOO_LARGE',
    `the archive expands past ${cap} bytes (cap: ${caps.maxTotalBytes} bytes, ratio ${caps.maxCompressionRatio}:1)`,
    { details: { compressedBytes, cap }, cause },
  );
}

/**
 * Reads every file of a `.tgz` in memory, checking each entry before anything is written: only
 * regular files and folders (no symlinks, hard links, devices, FIFOs), no absolute paths, no `..`,
 * no duplicates, and the caps of `limits` (total bytes, entries, compression ratio).
 * @throws PluginError ARCHIVE_UNSAFE, TOO_LARGE
 */
export async function readArchiveFiles(
  archive: Buffer,
  limits: ExtractionLimits = {},
): Promise<ArchiveFile[]> {
  const caps = resolveCaps(limits);
  const outputCap = computeInflateCap(archive.length, caps);
  let tar: Buffer;
  try {
    tar =
      archive.length <= INFLATE_IN_PLACE_MAX_BYTES
        ? gunzipSync(archive, { maxOutputLength: outputCap })
        : await gunzipAsync(archive, { maxOutputLength: outputCap });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(archive.length, outputCap, caps, error);
    throw new PluginError('ARCHIVE_UNSAFE', 'the archive is not a valid gzip stream', { cause: error });
  }
  return parseTar(tar, caps);
}

/** An archive being inflated while it downloads; nothing is written until `finish` and the caller's checks. */
export interface ArchiveInflater {
  /** Feeds the next compressed chunk. */
  write(chunk: Uint8Array): void;
  /**
   * Ends the stream and returns the checked files.
   * @throws PluginError ARCHIVE_UNSAFE, TOO_LARGE
   */
  finish(): Promise<ArchiveFile[]>;
  /** Stops inflating and drops what was inflated. */
  abort(): void;
}

/**
 * Inflates a `.tgz` as its chunks arrive, so decompression overlaps the download. The output is held
 * in memory under the same caps as {@link readArchiveFiles} (computed from the expected compressed size)
 * and parsed only in `finish`, which the caller runs after checking the download's size and hash.
 */
export function createArchiveInflater(
  expectedCompressedSize: number,
  limits: ExtractionLimits = {},
): ArchiveInflater {
  const caps = resolveCaps(limits);
  const outputCap = computeInflateCap(expectedCompressedSize, caps);
  const gunzip = createGunzip({ chunkSize: 512 * 1024 });
  const chunks: Buffer[] = [];
  let total = 0;
  let failure: PluginError | undefined;
  gunzip.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > outputCap) {
      failure ??= tooLarge(expectedCompressedSize, outputCap, caps);
      chunks.length = 0;
      gunzip.destroy();
      return;
    }
    chunks.push(chunk);
  });
  const ended = new Promise<void>((resolve) => {
    gunzip.once('end', () => resolve());
    gunzip.once('close', () => resolve());
    gunzip.once('error', (error) => {
      failure ??= new PluginError('ARCHIVE_UNSAFE', 'the archive is not a valid gzip stream', {
        cause: error,
      });
      resolve();
    });
  });
  // Network chunks are small; batching them saves a thread-pool round trip per chunk.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pendingBytes === 0) return;
    const batch = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (failure === undefined && !gunzip.destroyed) gunzip.write(batch);
  };
  return {
    write(chunk) {
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= INFLATE_BATCH_BYTES) flush();
    },
    async finish() {
      flush();
      if (!gunzip.destroyed) gunzip.end();
      await ended;
      if (failure !== undefined) throw failure;
      return parseTar(Buffer.concat(chunks, total), caps);
    },
    abort() {
      chunks.length = 0;
      pending = [];
      gunzip.destroy();
    },
  };
}

function parseTar(tar: Buffer, caps: Required<ExtractionLimits>): ArchiveFile[] {
  const files: ArchiveFile[] = [];
  const paths = new EntryPaths();
  let offset = 0;
  let entries = 0;
  let totalBytes = 0;
  let pendingPath: string | undefined;
  while (offset + BLOCK_SIZE <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK_SIZE);
    if (block.every((byte) => byte === 0)) break;
    entries += 1;
    if (entries > caps.maxEntries) {
      throw new PluginError('TOO_LARGE', `the archive has more than ${caps.maxEntries} entries`, {
        details: { maxEntries: caps.maxEntries },
      });
    }
    const header = decodeHeader(block);
    if (!header.checksumValid || !Number.isSafeInteger(header.size) || header.size < 0) {
      throw unsafe(`the tar header at byte ${offset} is corrupt`);
    }
    const dataStart = offset + BLOCK_SIZE;
    const dataEnd = dataStart + header.size;
    if (dataEnd > tar.length) throw unsafe('the archive is truncated');
    const data = tar.subarray(dataStart, dataEnd);
    offset = dataEnd + paddingAfter(header.size);
    if (header.type === 'x' || header.type === 'L') {
      const records =
        header.type === 'x' ? decodePaxRecords(data) : { path: data.toString('utf8').replace(/\0+$/, '') };
      if (records === undefined) throw unsafe('a pax header is malformed');
      if (records.linkpath !== undefined) throw unsafe('the archive contains a link', records.path);
      if (records.size !== undefined) throw unsafe('pax size overrides are not accepted', records.path);
      if (records.path !== undefined) pendingPath = records.path;
      continue;
    }
    if (header.type === 'g') continue;
    const rawPath = pendingPath ?? (header.prefix === '' ? header.name : `${header.prefix}/${header.name}`);
    pendingPath = undefined;
    if (header.type === '1' || header.type === '2' || header.type === 'K') {
      throw unsafe(`"${rawPath}" is a ${header.type === '2' ? 'symbolic' : 'hard'} link`, rawPath);
    }
    if (header.type === '3' || header.type === '4' || header.type === '6') {
      throw unsafe(`"${rawPath}" is a device or FIFO`, rawPath);
    }
    if (header.type === '5') {
      // Folders are made from the files' paths; a folder entry is only checked.
      normalizeEntryPath(rawPath, { folder: true });
      continue;
    }
    if (header.type !== '0' && header.type !== '\0' && header.type !== '7') {
      throw unsafe(`"${rawPath}" has the unsupported entry type "${header.type}"`, rawPath);
    }
    const path = normalizeEntryPath(rawPath);
    paths.add(path);
    totalBytes += header.size;
    if (totalBytes > caps.maxTotalBytes) {
      throw new PluginError('TOO_LARGE', `the archive holds more than ${caps.maxTotalBytes} bytes`, {
        details: { maxTotalBytes: caps.maxTotalBytes },
      });
    }
    files.push({ path, mode: Number.isNaN(header.mode) ? 0o644 : header.mode, data });
  }
  return files;
}

/**
 * Extracts a `.tgz` into `destination`, which must not exist yet. Every entry is checked (see
 * {@link readArchiveFiles}) before the first byte is written; on any failure the destination is removed.
 * @throws PluginError ARCHIVE_UNSAFE, TOO_LARGE, INSTALL_FAILED (the disk refused a write)
 */
export async function extractArchive(
  archive: Buffer,
  destination: string,
  limits: ExtractionLimits = {},
): Promise<ExtractArchiveResult> {
  return writeArchiveFiles(await readArchiveFiles(archive, limits), destination);
}

/**
 * Writes checked archive files into `destination`, which must not exist yet; on failure it is removed.
 * @throws PluginError INSTALL_FAILED
 */
export async function writeArchiveFiles(
  files: readonly ArchiveFile[],
  destination: string,
): Promise<ExtractArchiveResult> {
  try {
    await mkdir(destination);
  } catch (error) {
    throw new PluginError('INSTALL_FAILED', `cannot create ${destination}`, { cause: error });
  }
  try {
    const folders = new Set(files.map((file) => dirname(file.path)).filter((folder) => folder !== '.'));
    for (const folder of [...folders].sort()) await mkdir(join(destination, folder), { recursive: true });
    let totalBytes = 0;
    const batchSize = 32;
    for (let start = 0; start < files.length; start += batchSize) {
      await Promise.all(
        files.slice(start, start + batchSize).map((file) => {
          totalBytes += file.data.length;
          // 'wx' never follows or overwrites: the folder is fresh and holds no links.
          return writeFile(join(destination, file.path), file.data, {
            flag: 'wx',
            mode: file.mode & 0o100 ? 0o755 : 0o644,
          });
        }),
      );
    }
    return { files: files.map((file) => file.path), totalBytes };
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw new PluginError('INSTALL_FAILED', `cannot write the archive into ${destination}`, { cause: error });
  }
}
