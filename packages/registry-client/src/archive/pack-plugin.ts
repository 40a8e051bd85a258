import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { MANIFEST_FILE_NAME, PluginError, type PluginMetadata, readManifest } from '@agentplug/models';
import { formatArchiveName } from '../protocol/marketplace-index';
import { BLOCK_SIZE, encodeHeader, encodePaxRecords, paddingAfter } from './tar-format';

const gzipAsync = promisify(gzip);

/** Folder names never packed. */
const IGNORED_NAMES: ReadonlySet<string> = new Set(['.git', '.DS_Store', 'node_modules']);

/** Options for {@link packPlugin}. */
export interface PackPluginOptions {
  /** Also write the archive as `<outputDirectory>/<plugin_id>-<version>.tgz`. */
  outputDirectory?: string;
}

/** A packed plugin. */
export interface PackPluginResult {
  /** The .tgz bytes. */
  archive: Buffer;
  /** `<plugin_id>-<version>.tgz`. */
  fileName: string;
  /** Where the archive was written, when `outputDirectory` was given. */
  archivePath?: string;
  manifest: PluginMetadata;
  /** Lowercase hex sha256 of `archive`. */
  sha256: string;
  size: number;
  /** The packed file paths, sorted, with forward slashes. */
  files: string[];
}

async function collectFiles(root: string, relative: string, files: string[]): Promise<void> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  for (const entry of entries) {
    // An archive written by an earlier `pack` into the folder must not end up inside the next one.
    if (IGNORED_NAMES.has(entry.name) || (entry.isFile() && entry.name.endsWith('.tgz'))) continue;
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      await collectFiles(root, path, files);
    } else if (entry.isFile()) {
      files.push(path);
    } else {
      throw new PluginError(
        'ARCHIVE_UNSAFE',
        `${path} is not a regular file or folder (links and devices are not packed)`,
        {
          details: { path },
        },
      );
    }
  }
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/**
 * Packs a plugin folder into a deterministic `.tgz`: plugin.json at the root, regular files only,
 * entries sorted by path, fixed mtime, uid and gid 0, mode 0644 (0755 when the owner may execute).
 * `.git`, `node_modules`, `.DS_Store` and `.tgz` archives are left out. The same folder always gives the same bytes.
 * @throws PluginError MANIFEST_NOT_FOUND, MANIFEST_INVALID, ARCHIVE_UNSAFE (a symlink or device in the folder)
 * @example
 * const { archive, fileName } = await packPlugin('./my-plugin');
 */
export async function packPlugin(folder: string, options: PackPluginOptions = {}): Promise<PackPluginResult> {
  const { manifest } = await readManifest(folder);
  const files: string[] = [];
  await collectFiles(folder, '', files);
  files.sort(compareBytes);
  if (!files.includes(MANIFEST_FILE_NAME)) {
    throw new PluginError('MANIFEST_NOT_FOUND', `${folder} has no ${MANIFEST_FILE_NAME}`);
  }
  const chunks: Buffer[] = [];
  for (const path of files) {
    const absolute = join(folder, path);
    const [data, info] = await Promise.all([readFile(absolute), lstat(absolute)]);
    const mode = info.mode & 0o100 ? 0o755 : 0o644;
    if (Buffer.byteLength(path) > 100 || !/^[\x20-\x7e]+$/.test(path)) {
      const pax = encodePaxRecords({ path });
      chunks.push(
        encodeHeader({
          name: `PaxHeader/${path.slice(-80).replace(/[^\x20-\x7e]/g, '_')}`,
          size: pax.length,
          mode: 0o644,
          type: 'x',
        }),
        pax,
        Buffer.alloc(paddingAfter(pax.length)),
      );
    }
    chunks.push(encodeHeader({ name: path.slice(0, 100), size: data.length, mode, type: '0' }));
    chunks.push(data, Buffer.alloc(paddingAfter(data.length)));
  }
  chunks.push(Buffer.alloc(BLOCK_SIZE * 2));
  let archive: Buffer;
  try {
    archive = await gzipAsync(Buffer.concat(chunks), { level: 9 });
  } catch (error) {
    throw new PluginError('INTERNAL', `could not compress ${folder}`, { cause: error });
  }
  const fileName = formatArchiveName(manifest.plugin_id, manifest.version);
  const result: PackPluginResult = {
    archive,
    fileName,
    manifest,
    sha256: createHash('sha256').update(archive).digest('hex'),
    size: archive.length,
    files,
  };
  if (options.outputDirectory !== undefined) {
    await mkdir(options.outputDirectory, { recursive: true });
    const archivePath = join(options.outputDirectory, fileName);
    const temporary = `${archivePath}.${process.pid}.tmp`;
    await writeFile(temporary, archive);
    await rename(temporary, archivePath);
    result.archivePath = archivePath;
  }
  return result;
}
