import { createHash } from 'node:crypto';
import {
  DEFAULT_METADATA_LIFETIMES,
  formatSnapshotPath,
  formatTargetsPath,
  METADATA_PROTOCOL_VERSION,
  type MetadataFile,
  type MetadataLifetimes,
  MetadataTree,
  openStoredMetadata,
  readStoredTimestamp,
  type SnapshotBody,
  type TargetsBody,
  type TargetsContent,
  TIMESTAMP_PATH,
  type TimestampBody,
} from '@agentplug/registry-client/protocol';
import { type MarketplaceSigner, signMetadataDocument } from './marketplace-signer';

/** The signers of the online roles, each possibly holding its key elsewhere (`createCommandSigner`). */
export interface OnlineSigners {
  targets: readonly MarketplaceSigner[];
  snapshot: readonly MarketplaceSigner[];
  timestamp: readonly MarketplaceSigner[];
}

/** Options of {@link openOnlineMetadata}. */
export interface OnlineMetadataOptions {
  signers: OnlineSigners;
  lifetimes?: Partial<MetadataLifetimes>;
  /** Written into each snapshot when a server offers search. */
  searchEndpoint?: string;
  /** Reads a stored metadata file by path, undefined when there is none. */
  read(path: string): Promise<Uint8Array | undefined>;
}

/**
 * The online half of a v2 marketplace, signing through {@link MarketplaceSigner}s (a signer command
 * included, so no online key need be on the serving machine): each changed plugin's targets, the
 * targets tree, the snapshot and the timestamp. It returns the files to store, the timestamp last;
 * it writes nothing itself. After a failed call (a signer that refused) its state is undefined:
 * reopen it from the store.
 */
export interface OnlineMetadata {
  /** The snapshot version the stored timestamp pins (0 before the first commit). */
  readonly snapshotVersion: number;
  /** The tree of every plugin's current targets. */
  readonly tree: MetadataTree;
  /**
   * Signs new targets for each plugin given (one version more than its last) and stages them.
   * @throws PluginError UNAVAILABLE, SIGNATURE_INVALID (a signer), INVALID_ARGUMENT (a bad plugin id)
   */
  putTargets(changes: ReadonlyMap<string, TargetsContent>): Promise<void>;
  /** Drops a plugin from the tree at the next commit. */
  removeTargets(pluginId: string): void;
  /** Signs a snapshot over the tree and a timestamp pinning it: staged targets, tree nodes, snapshot, timestamp. */
  commit(now: Date): Promise<MetadataFile[]>;
  /** A new timestamp for the current snapshot, or a commit when the snapshot is past half its life. */
  renew(now: Date): Promise<MetadataFile[]>;
}

/** Targets signed at once: a signer command runs one process per signature. */
const TARGETS_SIGNED_AT_ONCE = 8;

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The snapshot version a stored timestamp pins, or 0 when there is none: what an instance compares
 * with its own to learn that another instance signed.
 * @throws PluginError INDEX_INVALID when the stored timestamp is damaged
 */
export function readPinnedSnapshotVersion(timestamp: Uint8Array | undefined): number {
  if (timestamp === undefined) return 0;
  return readStoredTimestamp(timestamp).snapshot.version;
}

/**
 * Reopens the online metadata from the files stored (timestamp, snapshot, tree, each checked by
 * hash), or starts empty when there is no timestamp yet.
 * @throws PluginError INDEX_INVALID, INTEGRITY_MISMATCH when the stored metadata is damaged
 */
export async function openOnlineMetadata(options: OnlineMetadataOptions): Promise<OnlineMetadata> {
  const lifetimes: MetadataLifetimes = { ...DEFAULT_METADATA_LIFETIMES, ...options.lifetimes };
  let tree = new MetadataTree();
  let snapshotVersion = 0;
  let timestampVersion = 0;
  let snapshot: { sha256: string; length: number; expires: number } | undefined;
  const stored = await openStoredMetadata(options.read);
  if (stored !== undefined) {
    ({ tree, snapshotVersion, timestampVersion, snapshot } = stored);
  }
  const staged: MetadataFile[] = [];

  const signTimestamp = async (now: Date): Promise<MetadataFile> => {
    const pinned = snapshot as NonNullable<typeof snapshot>;
    const body: TimestampBody = {
      _type: 'agentplug-timestamp',
      protocol_version: METADATA_PROTOCOL_VERSION,
      version: timestampVersion + 1,
      expires: new Date(now.getTime() + lifetimes.timestampMs).toISOString(),
      snapshot: { version: snapshotVersion, sha256: pinned.sha256, length: pinned.length },
    };
    const bytes = await signMetadataDocument(body, options.signers.timestamp);
    timestampVersion = body.version;
    return { path: TIMESTAMP_PATH, bytes };
  };

  const commit = async (now: Date): Promise<MetadataFile[]> => {
    const { reference, files } = tree.commit();
    const expires = now.getTime() + lifetimes.snapshotMs;
    const body: SnapshotBody = {
      _type: 'agentplug-snapshot',
      protocol_version: METADATA_PROTOCOL_VERSION,
      version: snapshotVersion + 1,
      expires: new Date(expires).toISOString(),
      tree: reference,
      plugin_count: tree.size,
    };
    if (options.searchEndpoint !== undefined) body.search_endpoint = options.searchEndpoint;
    const bytes = await signMetadataDocument(body, options.signers.snapshot);
    const out = [...staged.splice(0), ...files, { path: formatSnapshotPath(body.version), bytes }];
    snapshotVersion = body.version;
    snapshot = { sha256: sha256Of(bytes), length: bytes.byteLength, expires };
    out.push(await signTimestamp(now));
    return out;
  };

  return {
    get snapshotVersion() {
      return snapshotVersion;
    },
    get tree() {
      return tree;
    },
    async putTargets(changes) {
      const entries = [...changes];
      const signed: MetadataFile[] = new Array(entries.length);
      // Signed side by side (a few at a time), then put in the tree in the order given.
      for (let start = 0; start < entries.length; start += TARGETS_SIGNED_AT_ONCE) {
        await Promise.all(
          entries.slice(start, start + TARGETS_SIGNED_AT_ONCE).map(async ([pluginId, content], offset) => {
            const version = (tree.get(pluginId)?.version ?? 0) + 1;
            const body: TargetsBody = {
              _type: 'agentplug-targets',
              protocol_version: METADATA_PROTOCOL_VERSION,
              plugin_id: pluginId,
              version,
              plugin: content.plugin,
              versions: content.versions,
            };
            const path = formatTargetsPath(pluginId, version);
            signed[start + offset] = {
              path,
              bytes: await signMetadataDocument(body, options.signers.targets),
            };
          }),
        );
      }
      entries.forEach(([pluginId], index) => {
        const file = signed[index] as MetadataFile;
        staged.push(file);
        tree.set(pluginId, {
          version: (tree.get(pluginId)?.version ?? 0) + 1,
          sha256: sha256Of(file.bytes),
          length: file.bytes.byteLength,
        });
      });
    },
    removeTargets(pluginId) {
      tree.delete(pluginId);
    },
    commit,
    async renew(now) {
      if (
        snapshot === undefined ||
        staged.length > 0 ||
        snapshot.expires - now.getTime() < lifetimes.snapshotMs / 2
      ) {
        return commit(now);
      }
      return [await signTimestamp(now)];
    },
  };
}
