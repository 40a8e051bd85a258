import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PluginError, type PluginMetadata } from '@agentplug/models';
import { formatArchiveName } from '../protocol/marketplace-index';
import { EntryPaths, normalizeEntryPath } from './entry-path';
import { type ListPluginFilesOptions, listPluginFiles, type PluginFileEntry } from './list-plugin-files';
import { BLOCK_SIZE, encodeHeader, encodePaxRecords, paddingAfter } from './tar-format';

const gzipAsync = promisify(gzip);

/** Options for {@link packPlugin}. */
export interface PackPluginOptions extends ListPluginFilesOptions {
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
  /** The packed files with their sizes in bytes, in the same order. */
  entries: PluginFileEntry[];
}

/**
 * Packs a plugin folder into a deterministic `.tgz`: plugin.json at the root, regular files only,
 * entries sorted by path, fixed mtime, uid and gid 0, mode 0644 (0755 when the owner may execute).
 * What ships is what {@link listPluginFiles} lists: the default ignore list (secrets, `.git`,
 * `node_modules`, editor and OS files, archives; sources and tests when there is a build) changed
 * by `.agentplugignore`, and nothing that looks like a credential. The same folder always gives the same bytes.
 * @throws PluginError MANIFEST_NOT_FOUND, MANIFEST_INVALID, ARCHIVE_UNSAFE (a symlink or device in the folder, a
 * file name no client would extract: see `normalizeEntryPath`),
 * SECRET_DETECTED, TOO_LARGE
 * @example
 * const { archive, fileName } = await packPlugin('./my-plugin');
 */
export async function packPlugin(folder: string, options: PackPluginOptions = {}): Promise<PackPluginResult> {
  const { manifest, files: entries } = await listPluginFiles(folder, options);
  const files = entries.map((entry) => entry.path);
  // The extractor's rule, checked here too, so an author learns of a name no client would install now.
  const paths = new EntryPaths();
  for (const path of files) paths.add(normalizeEntryPath(path));
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
    entries,
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
