import { createHash } from 'node:crypto';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import {
  canonicalizeJson,
  checkTargetsBody,
  formatRootPath,
  formatTargetsPath,
  type IndexPluginEntry,
  METADATA_PROTOCOL_VERSION,
  type MetadataLifetimes,
  type RoleKeys,
  type RoleName,
  type RootBody,
  type RootKey,
  type TargetsContent,
  type TargetsVersionEntry,
  verifyTrustedRoot,
} from '@agentplug/registry-client/protocol';
import { type MarketplaceSigner, signMetadataDocument } from '../signing/marketplace-signer';
import { type OnlineMetadata, type OnlineSigners, openOnlineMetadata } from '../signing/online-metadata';
import type { Catalog } from '../store/catalog';
import type { MarketplaceStore } from '../store/marketplace-store';

/** Stored targets read at once when the catalog is loaded. */
const TARGETS_READ_AT_ONCE = 32;

/** Options of {@link openMetadataPublisher}. */
export interface MetadataPublisherOptions {
  store: MarketplaceStore;
  /** The signers of the online roles; each must be listed for its role by the newest stored root. */
  signers: OnlineSigners;
  /** Signs root version 1 when the store holds no root yet (a one-key marketplace). */
  rootSigner: MarketplaceSigner | undefined;
  lifetimes?: Partial<MetadataLifetimes>;
  searchEndpoint?: string;
  /** How long a root signed here stays valid. Default one year. */
  rootLifetimeMs?: number;
  /** The signing time. Default now. */
  now?: () => Date;
}

/** Keeps a store's v2 metadata in step with its catalog: the signing half of protocol v2. */
export interface MetadataPublisher {
  /**
   * The snapshot version signed last (what an instance compares to learn another one signed); after
   * a failed publish it may be one the store never held, so the next comparison reloads.
   */
  readonly snapshotVersion: number;
  /** How many plugins the signed tree holds. */
  readonly pluginCount: number;
  /**
   * Signs new targets for the plugins given, or (without `changed`) for every plugin whose content
   * differs from its stored targets, then one snapshot and timestamp. With `removeMissing`, plugins
   * not in the catalog leave the tree. When a signer or the store fails, nothing is served changed:
   * the publisher reopens from what the store holds.
   * @throws PluginError UNAVAILABLE, SIGNATURE_INVALID (a signer), CONFLICT (another instance signed that snapshot version)
   */
  publish(
    catalog: Readonly<Catalog>,
    changed?: readonly string[],
    options?: { removeMissing?: boolean },
  ): Promise<void>;
  /** Signs a new timestamp (and snapshot when due): what keeps clients from calling the marketplace frozen. */
  renew(): Promise<void>;
  /** Reads the metadata another instance wrote; answers the plugins whose targets changed. */
  reload(): Promise<string[]>;
  /**
   * The catalog the signed targets describe (counters at zero), read from the store.
   * @throws PluginError INDEX_INVALID, INTEGRITY_MISMATCH (a stored targets file is damaged)
   */
  readCatalog(pluginIds?: readonly string[]): Promise<Catalog>;
}

/** The v2 targets content of a catalog entry: search fields and every version (revocations included). */
export function toTargetsContent(entry: IndexPluginEntry): TargetsContent {
  const versions = Object.create(null) as Record<string, TargetsVersionEntry>;
  for (const [version, value] of Object.entries(entry.versions)) versions[version] = { ...value };
  return {
    plugin: {
      name: entry.name,
      description: entry.description,
      plugin_type: entry.plugin_type,
      tags: [...entry.tags],
      author: entry.author,
    },
    versions,
  };
}

async function latestRoot(
  store: MarketplaceStore,
): Promise<{ version: number; bytes: Uint8Array } | undefined> {
  let latest: { version: number; bytes: Uint8Array } | undefined;
  for (let version = 1; ; version += 1) {
    const bytes = await store.readMetadata(formatRootPath(version));
    if (bytes === undefined) return latest;
    latest = { version, bytes };
  }
}

function requireListed(
  root: ReturnType<typeof verifyTrustedRoot>,
  role: RoleName,
  signers: readonly MarketplaceSigner[],
): void {
  const listed = new Set(root.body.roles[role].keyids);
  const valid = new Set(signers.map((signer) => signer.keyId).filter((keyId) => listed.has(keyId))).size;
  if (valid < root.body.roles[role].threshold) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `root version ${root.body.version} needs ${root.body.roles[role].threshold} ${role} key(s); ${valid} of the keys given are listed`,
      { details: { role, rootVersion: root.body.version } },
    );
  }
}

// Root version 1 of a marketplace that has none: each role's keys, threshold 1, signed by the root signer.
async function signFirstRoot(
  options: MetadataPublisherOptions,
  rootSigner: MarketplaceSigner,
): Promise<Uint8Array> {
  const keys = Object.create(null) as Record<string, RootKey>;
  const roles = Object.create(null) as Record<RoleName, RoleKeys>;
  const byRole: Record<RoleName, readonly MarketplaceSigner[]> = {
    root: [rootSigner],
    targets: options.signers.targets,
    snapshot: options.signers.snapshot,
    timestamp: options.signers.timestamp,
  };
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const keyids: string[] = [];
    for (const signer of byRole[role]) {
      keys[signer.keyId] = { keytype: 'ed25519', public: signer.publicKey };
      if (!keyids.includes(signer.keyId)) keyids.push(signer.keyId);
    }
    if (keyids.length === 0) throw new PluginError('INVALID_ARGUMENT', `the ${role} role has no signer`);
    roles[role] = { keyids, threshold: 1 };
  }
  const now = options.now?.() ?? new Date();
  const body: RootBody = {
    _type: 'agentplug-root',
    protocol_version: METADATA_PROTOCOL_VERSION,
    version: 1,
    expires: new Date(now.getTime() + (options.rootLifetimeMs ?? 365 * 24 * 60 * 60 * 1000)).toISOString(),
    keys,
    roles,
  };
  return signMetadataDocument(body, [rootSigner]);
}

/**
 * Opens the v2 metadata of a store: signs root version 1 with `rootSigner` when there is no root,
 * checks that the online signers are the ones the newest root lists, and reopens the metadata.
 * @throws PluginError INVALID_ARGUMENT (keys not listed, no root and no root signer), INDEX_INVALID and INTEGRITY_MISMATCH (damaged stored metadata), UNAVAILABLE (a signer)
 */
export async function openMetadataPublisher(options: MetadataPublisherOptions): Promise<MetadataPublisher> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const open = (): Promise<OnlineMetadata> =>
    openOnlineMetadata({
      signers: options.signers,
      lifetimes: options.lifetimes,
      searchEndpoint: options.searchEndpoint,
      read: (path) => store.readMetadata(path),
    });
  // Read first: damaged stored metadata refuses the start before anything (a first root) is written.
  let metadata = await open();
  let root = await latestRoot(store);
  if (root === undefined) {
    if (options.rootSigner === undefined) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        `${store.location} holds no v2 root (v2/root/1.json) and no root key was given`,
      );
    }
    const bytes = await signFirstRoot(options, options.rootSigner);
    await store.writeMetadata([{ path: formatRootPath(1), bytes }]);
    root = { version: 1, bytes };
  }
  const trusted = verifyTrustedRoot(root.bytes);
  requireListed(trusted, 'targets', options.signers.targets);
  requireListed(trusted, 'snapshot', options.signers.snapshot);
  requireListed(trusted, 'timestamp', options.signers.timestamp);

  // A failed signer or write leaves the in-memory metadata ahead of the store. It is reopened from
  // the store before its next use, not at once: a failed statement may have aborted the transaction.
  let stale = false;
  const guarded = async (work: () => Promise<void>): Promise<void> => {
    if (stale) {
      metadata = await open();
      stale = false;
    }
    try {
      await work();
    } catch (error) {
      stale = true;
      throw error;
    }
  };
  // A few reads at a time: a store that answers in parallel (a folder, PostgreSQL) starts faster.
  const readCatalog = async (pluginIds?: readonly string[]): Promise<Catalog> => {
    const catalog = Object.create(null) as Catalog;
    const ids = pluginIds ?? metadata.tree.pluginIds();
    for (let start = 0; start < ids.length; start += TARGETS_READ_AT_ONCE) {
      await Promise.all(
        ids.slice(start, start + TARGETS_READ_AT_ONCE).map(async (pluginId) => {
          const entry = metadata.tree.get(pluginId);
          if (entry !== undefined) catalog[pluginId] = await readTargetsEntry(store, pluginId, entry);
        }),
      );
    }
    return catalog;
  };

  return {
    get snapshotVersion() {
      return metadata.snapshotVersion;
    },
    get pluginCount() {
      return metadata.tree.size;
    },
    publish: (catalog, changed, publishOptions = {}) =>
      guarded(async () => {
        const changes = new Map<string, TargetsContent>();
        if (changed !== undefined) {
          for (const pluginId of changed) {
            const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
            if (entry !== undefined) changes.set(pluginId, toTargetsContent(entry));
          }
        } else {
          // Only plugins whose content differs from what is signed (a static rebuild of the same archives re-signs nothing).
          const stored = await readCatalog(Object.keys(catalog));
          for (const [pluginId, entry] of Object.entries(catalog)) {
            const content = toTargetsContent(entry);
            const before = stored[pluginId];
            if (
              before === undefined ||
              canonicalizeJson(toTargetsContent(before)) !== canonicalizeJson(content)
            ) {
              changes.set(pluginId, content);
            }
          }
        }
        await metadata.putTargets(changes);
        if (publishOptions.removeMissing === true) {
          for (const pluginId of metadata.tree.pluginIds()) {
            if (!Object.hasOwn(catalog, pluginId)) metadata.removeTargets(pluginId);
          }
        }
        await store.writeMetadata(await metadata.commit(now()));
      }),
    renew: () =>
      guarded(async () => {
        await store.writeMetadata(await metadata.renew(now()));
      }),
    async reload() {
      const before = metadata.tree;
      metadata = await open();
      stale = false;
      return metadata.tree.pluginIds().filter((pluginId) => {
        const was = before.get(pluginId);
        return was === undefined || was.sha256 !== metadata.tree.get(pluginId)?.sha256;
      });
    },
    readCatalog,
  };
}

/** A plugin's catalog entry from its stored targets, checked against the tree's hash. */
async function readTargetsEntry(
  store: MarketplaceStore,
  pluginId: string,
  reference: { version: number; sha256: string },
): Promise<IndexPluginEntry> {
  const path = formatTargetsPath(pluginId, reference.version);
  const bytes = await store.readMetadata(path);
  if (bytes === undefined || createHash('sha256').update(bytes).digest('hex') !== reference.sha256) {
    throw new PluginError('INTEGRITY_MISMATCH', `the stored ${path} is missing or not the one the tree pins`);
  }
  const document = parseUntrustedJson(bytes, { code: 'INDEX_INVALID', what: `the stored ${path}` });
  const signed =
    typeof document === 'object' && document !== null && Object.hasOwn(document, 'signed')
      ? (document as { signed: unknown }).signed
      : undefined;
  const checked = checkTargetsBody(signed);
  if (!checked.success || checked.data.plugin_id !== pluginId) {
    throw new PluginError(
      'INDEX_INVALID',
      `the stored ${path} is damaged: ${checked.success ? 'another plugin id' : checked.message}`,
    );
  }
  const versions = Object.create(null) as Record<string, TargetsVersionEntry>;
  for (const [version, value] of Object.entries(checked.data.versions)) versions[version] = { ...value };
  return {
    plugin_id: pluginId,
    ...checked.data.plugin,
    tags: [...checked.data.plugin.tags],
    downloads: 0,
    rating: 0,
    rating_count: 0,
    versions,
  };
}
