import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PluginError, parseUntrustedJson, pathExists } from '@agentplug/models';
// The project's one atomic write (temporary file, fsync, rename) lives with the client's installs.
import { writeFileAtomic } from '@agentplug/registry-client';
import {
  ARCHIVES_PATH,
  formatArchiveName,
  isMetadataPath,
  METADATA_PATH,
} from '@agentplug/registry-client/protocol';
import type { MarketplaceStats, RatingTotal } from './marketplace-stats';
import type { MarketplaceStore, StoredArchive } from './marketplace-store';

/** The stats file's name in a store folder. */
const STATS_FILE_NAME = 'stats.json';

/** The folder of the per-version documents: `reports/<plugin_id>-<version>.json`. */
const REPORTS_FOLDER = 'reports';

/** A consistent snapshot's path: written once, never replaced. */
const SNAPSHOT_PATH = new RegExp(`^${METADATA_PATH}/snapshot/[0-9]+\\.json$`);

/** A `.tgz` file directly in `archives/`: never a path (a slash, a backslash, `..`), never hidden. */
function isArchiveFileName(name: string): boolean {
  return name.endsWith('.tgz') && !name.startsWith('.') && !/[\\/\0]/.test(name);
}

/**
 * Opens (creating when missing) a store folder in the static layout: `v2/` (the signed
 * metadata), `archives/`, and `stats.json` and `reports/` beside them, so a folder written by `buildStaticMarketplace` can be served as
 * it is. Every write is atomic (temporary file, fsync, rename). One process owns a folder: its
 * `exclusive` and its counters only order the calls of this process. Ratings are totals per plugin
 * (raters are not kept, so a rater counts each time).
 */
export async function createFolderStore(directory: string): Promise<MarketplaceStore> {
  const archivesFolder = join(directory, ARCHIVES_PATH);
  await mkdir(archivesFolder, { recursive: true });

  const openArchive = async (fileName: string): Promise<StoredArchive | undefined> => {
    if (!isArchiveFileName(fileName)) return undefined;
    const path = join(archivesFolder, fileName);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info === undefined || !info.isFile()) return undefined;
    return {
      fileName,
      size: info.size,
      storedAt: info.mtime.toISOString(),
      read: () => readFile(path),
      stream: () => createReadStream(path),
    };
  };

  const readStats = async (): Promise<MarketplaceStats> => {
    try {
      const parsed = parseUntrustedJson(await readFile(join(directory, STATS_FILE_NAME)), {
        code: 'INVALID_ARGUMENT',
        what: `the store's ${STATS_FILE_NAME}`,
      }) as Partial<MarketplaceStats>;
      return { downloads: parsed.downloads ?? {}, ratings: parsed.ratings ?? {} };
    } catch {
      return { downloads: {}, ratings: {} };
    }
  };
  // Read-modify-write of stats.json, one change at a time.
  let statsChanges: Promise<unknown> = Promise.resolve();
  const changeStats = <T>(change: (stats: MarketplaceStats) => T): Promise<T> => {
    const next = statsChanges.then(async () => {
      const stats = await readStats();
      const result = change(stats);
      await writeFileAtomic(join(directory, STATS_FILE_NAME), JSON.stringify(stats));
      return result;
    });
    statsChanges = next.catch(() => undefined);
    return next;
  };
  let writes: Promise<unknown> = Promise.resolve();

  const store: MarketplaceStore = {
    location: directory,
    async listArchives() {
      const names = (await readdir(archivesFolder)).filter(isArchiveFileName).sort();
      const archives: StoredArchive[] = [];
      for (const name of names) {
        const archive = await openArchive(name);
        if (archive !== undefined) archives.push(archive);
      }
      return archives;
    },
    openArchive,
    async writeArchives(archives) {
      for (const { fileName, archive } of archives)
        await writeFileAtomic(join(archivesFolder, fileName), archive);
    },
    prepareArchive: async () => undefined,
    async readMetadata(path) {
      if (!isMetadataPath(path)) return undefined;
      try {
        return await readFile(join(directory, path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new PluginError('INVALID_ARGUMENT', `the store's ${path} cannot be read`, { cause: error });
      }
    },
    async writeMetadata(files) {
      for (const file of files) {
        if (!isMetadataPath(file.path)) {
          throw new PluginError('INVALID_ARGUMENT', `${JSON.stringify(file.path)} is not a metadata path`);
        }
      }
      for (const file of files) {
        if (SNAPSHOT_PATH.test(file.path) && (await pathExists(join(directory, file.path)))) {
          throw new PluginError('CONFLICT', `${file.path} was already signed`, {
            details: { path: file.path },
          });
        }
      }
      // In order: the timestamp comes last, so the files it points at are already in place.
      for (const file of files) {
        const path = join(directory, file.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFileAtomic(path, file.bytes);
      }
    },
    async readVersionDocument(pluginId, version) {
      // formatArchiveName checks the id and the version, so the name is never a path.
      const name = formatArchiveName(pluginId, version).replace(/\.tgz$/, '.json');
      try {
        return await readFile(join(directory, REPORTS_FOLDER, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async writeVersionDocuments(documents) {
      const names = documents.map(({ pluginId, version }) =>
        formatArchiveName(pluginId, version).replace(/\.tgz$/, '.json'),
      );
      await mkdir(join(directory, REPORTS_FOLDER), { recursive: true });
      for (const [index, { document }] of documents.entries()) {
        await writeFileAtomic(join(directory, REPORTS_FOLDER, names[index] as string), document);
      }
    },
    // After the changes already asked for: a reader never sees counters older than a rating it was told was kept.
    readStats: async () => {
      await statsChanges;
      return readStats();
    },
    addDownloads: (counts) =>
      changeStats((stats) => {
        for (const [pluginId, count] of Object.entries(counts)) {
          stats.downloads[pluginId] = (stats.downloads[pluginId] ?? 0) + count;
        }
      }),
    addRating: (pluginId, _rater, rating) =>
      changeStats((stats): RatingTotal => {
        const current = stats.ratings[pluginId] ?? { sum: 0, count: 0 };
        const total = { sum: current.sum + rating, count: current.count + 1 };
        stats.ratings[pluginId] = total;
        return total;
      }),
    exclusive<T>(work: () => Promise<T>): Promise<T> {
      const next = writes.then(work, work);
      writes = next.catch(() => undefined);
      return next;
    },
    attempt: (work) => work(),
    close: async () => {
      await statsChanges;
    },
  };
  return store;
}
