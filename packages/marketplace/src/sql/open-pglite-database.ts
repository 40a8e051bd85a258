import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { PluginError } from '@agentplug/models';
import { PGlite } from '@electric-sql/pglite';
import { createSqlDatabase, type SqlDatabase, type SqlQuery } from './sql-database';

/** Options of {@link openPgliteDatabase}. */
export interface OpenPgliteDatabaseOptions {
  /** The folder holding the database files; undefined keeps the database in memory. */
  directory: string | undefined;
  /** A data folder dump (`PGlite#dumpDataDir`) to start an empty folder from, skipping initdb. */
  initialData?: Blob | File;
}

/** PostgreSQL's type id of bytea. */
const BYTEA_OID = 17;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// PGlite has no lock of its own: two processes on one folder would corrupt it. A lock file beside
// the folder holds the owner's pid; one left by a process that died is taken over.
async function lockFolder(directory: string): Promise<() => Promise<void>> {
  const lockPath = `${directory}.lock`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new PluginError(
        'UNAVAILABLE',
        `the embedded database ${directory} is in use by process ${owner} (one process at a time: stop it, or use a PostgreSQL server for several)`,
        { details: { directory, pid: owner } },
      );
    }
    await rm(lockPath, { force: true });
  }
  throw new PluginError('UNAVAILABLE', `cannot lock the embedded database ${directory}`);
}

/**
 * Opens the embedded PostgreSQL (PGlite, WebAssembly) in a folder, creating it when missing. One
 * process owns the folder at a time; several instances need a PostgreSQL server instead.
 * @throws PluginError UNAVAILABLE when the folder cannot be opened (another live process holds it, or it is damaged)
 */
export async function openPgliteDatabase(options: OpenPgliteDatabaseOptions): Promise<SqlDatabase> {
  let unlock = async (): Promise<void> => undefined;
  if (options.directory !== undefined) {
    await mkdir(options.directory, { recursive: true });
    unlock = await lockFolder(options.directory);
  }
  let database: PGlite;
  try {
    database = await PGlite.create({
      // PGlite's own bytea text conversion goes byte by byte (seconds for a 5 MB document); Buffer's
      // hex codec is native. Same wire format (`\\x` and hex), so the data is the same.
      serializers: {
        [BYTEA_OID]: (value: unknown) => `\\x${Buffer.from(value as Uint8Array).toString('hex')}`,
      },
      parsers: { [BYTEA_OID]: (text: string) => Buffer.from(text.slice(2), 'hex') },
      ...(options.directory === undefined ? {} : { dataDir: options.directory }),
      ...(options.initialData === undefined ? {} : { loadDataDir: options.initialData }),
    });
  } catch (error) {
    await unlock();
    throw new PluginError(
      'UNAVAILABLE',
      `the embedded database in ${options.directory ?? 'memory'} cannot be opened`,
      { cause: error },
    );
  }
  const query: SqlQuery = async <Row>(text: string, parameters?: readonly unknown[]) =>
    (await database.query<Row>(text, parameters === undefined ? [] : [...parameters])).rows;
  return createSqlDatabase({
    engine: 'pglite',
    location: options.directory ?? 'memory',
    query,
    // PGlite has one connection: its transaction holds a lock that queries outside it wait for.
    runTransaction: (work) =>
      database.transaction((transaction) =>
        work(
          async <Row>(text: string, parameters?: readonly unknown[]) =>
            (await transaction.query<Row>(text, parameters === undefined ? [] : [...parameters])).rows,
        ),
      ),
    close: async () => {
      await database.close();
      await unlock();
    },
  });
}
