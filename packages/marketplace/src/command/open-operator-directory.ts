import { userInfo } from 'node:os';
import type { Actor, PublisherDirectory } from '../publishers/publisher-directory';
import { createPublisherDirectory } from '../publishers/publisher-directory';
import { openMarketplaceStore } from '../store/open-marketplace-store';

/** Options of {@link openPublisherDirectory}. */
export interface OpenPublisherDirectoryOptions {
  /** The store folder whose embedded database (`<store>/database`) is opened, when no URL is given. */
  storeDirectory: string;
  /** A PostgreSQL connection string; the embedded database when undefined. */
  databaseUrl?: string | undefined;
  schema?: string | undefined;
}

/**
 * Opens the publisher directory of a marketplace's database for the operator commands (migrating
 * it first, as a server start does). The embedded database can be open in one process at a time.
 * @throws PluginError UNAVAILABLE (a running server holds the embedded database, or PostgreSQL cannot be reached)
 */
export async function openPublisherDirectory(
  options: OpenPublisherDirectoryOptions,
): Promise<{ directory: PublisherDirectory; close(): Promise<void> }> {
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  const opened = await openMarketplaceStore(
    options.storeDirectory,
    options.databaseUrl === undefined
      ? { engine: 'pglite', ...schema }
      : { engine: 'postgres', url: options.databaseUrl, ...schema },
  );
  if (opened.database === undefined) throw new Error('a SQL engine always has a database');
  return { directory: createPublisherDirectory(opened.database, opened.schema), close: () => opened.close() };
}

/** The audit log's actor for a command run on this machine. */
export function operatorActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container running as an arbitrary uid): the uid says enough.
    user = String(process.getuid?.() ?? 'unknown');
  }
  return { name: 'operator', address: `command line (${user}, pid ${process.pid})` };
}
