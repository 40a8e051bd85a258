import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { fetchConditional } from '../network/fetch-conditional';
import { MAX_METADATA_BYTES } from '../protocol/check-metadata';
import { assertPluginId } from '../protocol/identifiers';
import {
  formatRootPath,
  formatSnapshotPath,
  formatTargetsPath,
  formatTreeNodePath,
  hashPluginId,
  type MetaReference,
  type SnapshotBody,
  type TargetsBody,
  TIMESTAMP_PATH,
  type TimestampBody,
  type TreeEntry,
  type TreeNode,
} from '../protocol/metadata-types';
import { resolvePublicKey, type TrustedKey } from '../protocol/signing-keys';
import {
  checkRootFresh,
  MAX_ROOT_BYTES,
  MAX_TIMESTAMP_BYTES,
  sameRoleKeys,
  type TrustedTimestampState,
  type VerifiedRoot,
  verifyNextRoot,
  verifyPinnedRoot,
  verifySnapshot,
  verifyTargets,
  verifyTimestamp,
  verifyTreeNode,
  verifyTrustedRoot,
} from '../protocol/verify-metadata';
import { acquireLock } from './install-lock';
import { writeFileAtomic } from './write-file-atomic';

/** Most root rotations walked in one refresh: a hostile server cannot keep a client walking. */
export const MAX_ROOT_ROTATIONS = 256;

/** What {@link TrustedMetadata} needs. */
export interface TrustedMetadataOptions {
  /** The marketplace URL (with a trailing slash). */
  marketplaceUrl: string;
  /** The root document the client starts from: its trust anchor (`v2/root/1.json` or any later one obtained safely). */
  trustedRoot?: Uint8Array | string | undefined;
  /**
   * Instead of a root document: the marketplace's root keys. Root version 1 is then fetched and
   * accepted only when a threshold of its root signatures are by these keys (see `verifyPinnedRoot`),
   * and kept in the cache, per URL and keys, as the anchor of later refreshes.
   */
  pinnedKeys?: readonly TrustedKey[] | undefined;
  network: NetworkOptions;
  /** Where trusted metadata and the last-seen versions are kept, per marketplace URL. */
  cacheDirectory: string;
  now?: () => Date;
}

/** What one client has fetched: requests sent and body bytes received (metadata only). */
export interface MetadataTraffic {
  requests: number;
  notModified: number;
  bytes: number;
}

interface StoredState {
  etag?: string;
  timestamp?: TrustedTimestampState;
  /** Per plugin, the highest targets version accepted. */
  targets: Record<string, number>;
}

/** The current, verified view of the marketplace after a refresh. */
export interface MetadataView {
  root: VerifiedRoot;
  timestamp: TimestampBody;
  snapshot: SnapshotBody;
}

function emptyState(): StoredState {
  return { targets: Object.create(null) as Record<string, number> };
}

/** Whether bytes are whole JSON (a cache a crash cut short is not). */
function canParse(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A client of protocol v2 (PROTOCOL.md): it walks root rotations from its trust anchor, fetches
 * the timestamp (conditionally: unchanged costs a 304), the snapshot it pins, and for each plugin
 * asked for one path of the targets tree and its signed targets. Every check of the protocol is
 * made before anything is used, and the versions seen are kept on disk so a later rollback,
 * freeze or mix of old and new metadata is refused.
 */
export class TrustedMetadata {
  /** Bytes and requests this client has spent on metadata. */
  readonly traffic: MetadataTraffic = { requests: 0, notModified: 0, bytes: 0 };
  private readonly folder: string;
  private readonly now: () => Date;
  private loaded:
    | { root: VerifiedRoot; state: StoredState; timestampBytes?: Buffer; snapshotBytes?: Buffer }
    | undefined;
  private view: MetadataView | undefined;
  private loading: Promise<NonNullable<TrustedMetadata['loaded']>> | undefined;
  /** The cache folder and its lock folder, created once per instance. */
  private folderReady: Promise<void> | undefined;
  private readonly nodes = new Map<string, Promise<TreeNode>>();
  private readonly targets = new Map<string, { sha256: string; body: TargetsBody }>();

  /**
   * @throws PluginError INVALID_ARGUMENT when neither or both of `trustedRoot` and `pinnedKeys` are given, or a key is unreadable
   */
  constructor(private readonly options: TrustedMetadataOptions) {
    if (
      (options.trustedRoot === undefined) ===
      (options.pinnedKeys === undefined || options.pinnedKeys.length === 0)
    ) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        'protocol v2 needs a trusted root document or the marketplace keys, one of them',
      );
    }
    const hash = createHash('sha256').update(options.marketplaceUrl);
    // A cache anchored by keys is kept apart per set of keys: other keys start from root 1 again.
    if (options.pinnedKeys !== undefined && options.trustedRoot === undefined) {
      const keyIds = options.pinnedKeys.map((key) => resolvePublicKey(key).keyId).sort();
      hash.update(`\npinned:${keyIds.join(',')}`);
    }
    const digest = hash.digest('hex').slice(0, 32);
    this.folder = join(options.cacheDirectory, 'metadata-v2', digest);
    this.now = options.now ?? (() => new Date());
  }

  /** The view of the last refresh, or undefined before the first. */
  get current(): MetadataView | undefined {
    return this.view;
  }

  /**
   * Brings root, timestamp and snapshot up to date and verified.
   * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED, INTEGRITY_MISMATCH, INCOMPATIBLE, NETWORK_ERROR, TIMEOUT, TOO_LARGE
   */
  async refresh(): Promise<MetadataView> {
    const refreshed = await this.fetchView();
    await this.persist(refreshed.change, refreshed.caches);
    this.view = refreshed.view;
    return refreshed.view;
  }

  /**
   * Fetches and verifies root, timestamp and snapshot, and returns the view with what must be kept
   * (the last-seen state change and the cache files), not yet written: a caller that goes on to
   * read targets writes both in one commit, so a cold install pays for one synced write, not two.
   */
  private async fetchView(): Promise<{
    view: MetadataView;
    change: (state: StoredState) => void;
    caches: { name: string; bytes: Buffer }[];
  }> {
    const loaded = await this.load();
    const now = this.now();
    const previousRoot = loaded.root;
    let root = previousRoot;
    for (let step = 0; ; step += 1) {
      if (step >= MAX_ROOT_ROTATIONS) {
        throw new PluginError(
          'SIGNATURE_INVALID',
          `the marketplace offers more than ${MAX_ROOT_ROTATIONS} root rotations in a row`,
        );
      }
      let bytes: Buffer;
      try {
        bytes = await this.fetch(formatRootPath(root.body.version + 1), MAX_ROOT_BYTES);
      } catch (error) {
        if (PluginError.is(error, 'NOT_FOUND')) break;
        throw error;
      }
      root = verifyNextRoot(root, bytes);
      await this.writeFile('root.json', root.bytes);
      loaded.root = root;
    }
    checkRootFresh(root, now);
    if (root !== previousRoot) await this.forgetRotatedRoles(previousRoot, root);

    let timestampBytes: Buffer;
    let conditional = await this.fetchTimestamp(
      loaded.timestampBytes === undefined ? undefined : loaded.state.etag,
    );
    if (conditional.modified) timestampBytes = conditional.bytes;
    else {
      timestampBytes = loaded.timestampBytes as Buffer;
      // The cached copy is written without fsync: one a crash damaged is fetched again, whole.
      // Anything else wrong with it (expired, rolled back) is refused below like fresh bytes.
      if (!canParse(timestampBytes)) {
        conditional = await this.fetchTimestamp(undefined);
        timestampBytes = conditional.modified ? conditional.bytes : timestampBytes;
      }
    }
    const timestamp = verifyTimestamp(timestampBytes, { root, now, previous: loaded.state.timestamp });

    let snapshotBytes = loaded.snapshotBytes;
    const pinned = timestamp.body.snapshot;
    if (
      snapshotBytes === undefined ||
      createHash('sha256').update(snapshotBytes).digest('hex') !== pinned.sha256
    ) {
      snapshotBytes = await this.fetchPinned(formatSnapshotPath(pinned.version), pinned);
    }
    const snapshot = verifySnapshot(snapshotBytes, { root, timestamp: timestamp.body, now });

    const change = (state: StoredState): void => {
      // Another process may have moved on meanwhile: the check is repeated against the disk.
      verifyTimestamp(timestampBytes, { root, now, previous: state.timestamp });
      state.timestamp = {
        version: timestamp.body.version,
        sha256: timestamp.sha256,
        snapshotVersion: pinned.version,
      };
      if (conditional.modified) {
        if (conditional.etag === undefined) delete state.etag;
        else state.etag = conditional.etag;
      }
    };
    // Caches only: state.json (synced) is what refuses a rollback; these are checked at every read.
    const caches: { name: string; bytes: Buffer }[] = [];
    if (conditional.modified) caches.push({ name: 'timestamp.json', bytes: timestampBytes });
    if (snapshotBytes !== loaded.snapshotBytes) caches.push({ name: 'snapshot.json', bytes: snapshotBytes });
    loaded.timestampBytes = timestampBytes;
    loaded.snapshotBytes = snapshotBytes;
    return { view: { root, timestamp: timestamp.body, snapshot }, change, caches };
  }

  /** Writes a state change (synced, under the cache lock) and the cache files beside it, at once. */
  private async persist(
    change: (state: StoredState) => void,
    caches: readonly { name: string; bytes: Buffer }[],
  ): Promise<void> {
    await Promise.all([
      this.commitState(change),
      ...caches.map((cache) => this.writeFile(cache.name, cache.bytes, { sync: false })),
    ]);
  }

  /**
   * A plugin's verified targets in the current snapshot (refreshing first when there is none), or
   * undefined when the signed tree proves the marketplace has no such plugin.
   * @throws PluginError INVALID_ARGUMENT (not a plugin id), and the codes of {@link TrustedMetadata.refresh}
   */
  async getTargets(pluginId: string): Promise<TargetsBody | undefined> {
    return (await this.readTargets([pluginId])).get(pluginId);
  }

  /**
   * The verified targets of several plugins (undefined for those the signed tree proves absent):
   * their tree paths are walked and their targets fetched concurrently, and the versions seen are
   * kept on disk in one write before any of them is returned.
   * @throws PluginError INVALID_ARGUMENT (not a plugin id), ROLLBACK_DETECTED, and the codes of {@link TrustedMetadata.refresh}
   */
  async readTargets(pluginIds: readonly string[]): Promise<Map<string, TargetsBody | undefined>> {
    for (const pluginId of pluginIds) assertPluginId(pluginId, 'INVALID_ARGUMENT', 'the plugin id');
    // Without a current view, the refresh's state is written with the targets', in one commit.
    const refreshed = this.view === undefined ? await this.fetchView() : undefined;
    const view = refreshed?.view ?? (this.view as MetadataView);
    const loaded = await this.load();
    const found = await Promise.all(
      pluginIds.map(async (pluginId) => {
        const entry = await this.findEntry(view, pluginId);
        if (entry === undefined) return { pluginId, body: undefined, fresh: false };
        const cached = this.targets.get(pluginId);
        if (cached !== undefined && cached.sha256 === entry.sha256) {
          return { pluginId, body: cached.body, fresh: false };
        }
        const bytes = await this.fetchPinned(formatTargetsPath(pluginId, entry.version), entry);
        const body = verifyTargets(bytes, {
          root: view.root,
          pluginId,
          entry,
          previousVersion: loaded.state.targets[pluginId],
        });
        return { pluginId, body, fresh: true, sha256: entry.sha256 };
      }),
    );
    const fresh = found.filter((item) => item.fresh);
    const recordTargets = (state: StoredState): void => {
      for (const { pluginId, body } of fresh) {
        const version = (body as TargetsBody).version;
        const seen = state.targets[pluginId];
        if (seen !== undefined && seen > version) {
          throw new PluginError(
            'ROLLBACK_DETECTED',
            `targets version ${version} of ${pluginId} is older than version ${seen} seen before`,
          );
        }
        state.targets[pluginId] = version;
      }
    };
    if (refreshed !== undefined) {
      await this.persist((state) => {
        refreshed.change(state);
        recordTargets(state);
      }, refreshed.caches);
      this.view = view;
    } else if (fresh.length > 0) {
      await this.commitState(recordTargets);
    }
    const result = new Map<string, TargetsBody | undefined>();
    for (const item of found) {
      if (item.fresh)
        this.targets.set(item.pluginId, { sha256: item.sha256 as string, body: item.body as TargetsBody });
      result.set(item.pluginId, item.body);
    }
    return result;
  }

  /** The signed tree's entry for a plugin, one node per level, or undefined when the tree proves it absent. */
  private async findEntry(view: MetadataView, pluginId: string): Promise<TreeEntry | undefined> {
    const key = hashPluginId(pluginId);
    let reference: MetaReference = view.snapshot.tree;
    let prefix = '';
    for (;;) {
      const node = await this.readNode(reference, prefix);
      if ('children' in node) {
        const digit = key[prefix.length] as string;
        if (!Object.hasOwn(node.children, digit)) return undefined;
        reference = node.children[digit] as MetaReference;
        prefix += digit;
        continue;
      }
      if (!Object.hasOwn(node.plugins, pluginId)) return undefined;
      return node.plugins[pluginId] as TreeEntry;
    }
  }

  private readNode(reference: MetaReference, prefix: string): Promise<TreeNode> {
    // Concurrent walks share the upper nodes: each is fetched and verified once.
    const key = `${reference.sha256}:${prefix.length}`;
    const cached = this.nodes.get(key);
    if (cached !== undefined) return cached;
    const pending = this.fetchPinned(formatTreeNodePath(reference.sha256), reference).then((bytes) =>
      verifyTreeNode(bytes, { reference, prefix }),
    );
    this.nodes.set(key, pending);
    pending.catch(() => this.nodes.delete(key));
    return pending;
  }

  /** A root rotation that changes a role's keys voids what those keys signed before (fast-forward recovery). */
  private async forgetRotatedRoles(before: VerifiedRoot, after: VerifiedRoot): Promise<void> {
    const loaded = this.loaded as NonNullable<TrustedMetadata['loaded']>;
    const onlineKeysChanged =
      !sameRoleKeys(before.body, after.body, 'timestamp') ||
      !sameRoleKeys(before.body, after.body, 'snapshot');
    const targetsKeysChanged = !sameRoleKeys(before.body, after.body, 'targets');
    if (!onlineKeysChanged && !targetsKeysChanged) return;
    if (onlineKeysChanged) {
      loaded.timestampBytes = undefined;
      loaded.snapshotBytes = undefined;
    }
    if (targetsKeysChanged) this.targets.clear();
    await this.commitState((state) => {
      if (onlineKeysChanged) {
        delete state.timestamp;
        delete state.etag;
      }
      if (targetsKeysChanged) state.targets = Object.create(null) as Record<string, number>;
    });
  }

  private async fetchTimestamp(etag: string | undefined) {
    this.traffic.requests += 1;
    const result = await fetchConditional(
      new URL(TIMESTAMP_PATH, this.options.marketplaceUrl).toString(),
      this.options.network,
      {
        maxBytes: MAX_TIMESTAMP_BYTES,
        etag,
      },
    );
    if (result.modified) this.traffic.bytes += result.bytes.byteLength;
    else this.traffic.notModified += 1;
    return result;
  }

  private async fetch(path: string, maxBytes: number): Promise<Buffer> {
    this.traffic.requests += 1;
    const bytes = await fetchBytes(
      new URL(path, this.options.marketplaceUrl).toString(),
      this.options.network,
      {
        maxBytes,
      },
    );
    this.traffic.bytes += bytes.byteLength;
    return bytes;
  }

  /** Fetches a file whose length signed metadata pins: no byte past it is read (endless data). */
  private fetchPinned(path: string, reference: MetaReference): Promise<Buffer> {
    if (reference.length > MAX_METADATA_BYTES) {
      throw new PluginError(
        'TOO_LARGE',
        `${path} is pinned at ${reference.length} bytes; at most ${MAX_METADATA_BYTES} are read`,
      );
    }
    return this.fetch(path, reference.length);
  }

  private load(): Promise<NonNullable<TrustedMetadata['loaded']>> {
    if (this.loaded !== undefined) return Promise.resolve(this.loaded);
    // Concurrent first reads (a batch of plugins) share one load.
    this.loading ??= this.loadFromDisk().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadFromDisk(): Promise<NonNullable<TrustedMetadata['loaded']>> {
    // The four files are independent reads: one wait for all of them, not four in a row.
    const [storedRootBytes, state, timestampBytes, snapshotBytes] = await Promise.all([
      this.readFileOrUndefined('root.json'),
      this.readState(),
      this.readFileOrUndefined('timestamp.json'),
      this.readFileOrUndefined('snapshot.json'),
    ]);
    let anchor: VerifiedRoot;
    if (this.options.trustedRoot !== undefined) anchor = verifyTrustedRoot(this.options.trustedRoot);
    else if (storedRootBytes !== undefined) anchor = verifyTrustedRoot(storedRootBytes);
    else {
      const pinnedKeys = this.options.pinnedKeys as readonly TrustedKey[];
      let bytes: Buffer;
      try {
        bytes = await this.fetch(formatRootPath(1), MAX_ROOT_BYTES);
      } catch (error) {
        if (!PluginError.is(error, 'NOT_FOUND')) throw error;
        throw new PluginError(
          'INCOMPATIBLE',
          `${this.options.marketplaceUrl} serves no protocol v2 root (${formatRootPath(1)}): it is not a protocol v2 marketplace`,
          { cause: error },
        );
      }
      anchor = verifyPinnedRoot(bytes, pinnedKeys);
      await this.writeFile('root.json', anchor.bytes);
    }
    let root = anchor;
    if (storedRootBytes !== undefined) {
      const stored = verifyTrustedRoot(storedRootBytes);
      if (stored.body.version > anchor.body.version) root = stored;
    }
    this.loaded = { root, state, timestampBytes, snapshotBytes };
    return this.loaded;
  }

  private async readState(): Promise<StoredState> {
    const bytes = await this.readFileOrUndefined('state.json');
    if (bytes === undefined) return emptyState();
    const document = parseUntrustedJson(bytes, {
      code: 'ROLLBACK_DETECTED',
      what: join(this.folder, 'state.json'),
      maxBytes: 64 * 1024 * 1024,
    }) as Record<string, unknown>;
    const state = emptyState();
    const unreadable = (): PluginError =>
      new PluginError(
        'ROLLBACK_DETECTED',
        `cannot read the last-seen metadata versions in ${join(this.folder, 'state.json')}; delete it only if you trust the marketplace`,
      );
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw unreadable();
    const etag = Object.hasOwn(document, 'etag') ? document.etag : undefined;
    if (typeof etag === 'string') state.etag = etag;
    const timestamp = Object.hasOwn(document, 'timestamp')
      ? (document.timestamp as Record<string, unknown>)
      : undefined;
    if (timestamp !== undefined) {
      if (
        typeof timestamp !== 'object' ||
        timestamp === null ||
        !isCount(timestamp.version) ||
        !isCount(timestamp.snapshotVersion) ||
        typeof timestamp.sha256 !== 'string'
      ) {
        throw unreadable();
      }
      state.timestamp = {
        version: timestamp.version,
        snapshotVersion: timestamp.snapshotVersion,
        sha256: timestamp.sha256,
      };
    }
    const targets = Object.hasOwn(document, 'targets') ? document.targets : undefined;
    if (targets !== undefined) {
      if (typeof targets !== 'object' || targets === null) throw unreadable();
      for (const [pluginId, version] of Object.entries(targets)) {
        if (!isCount(version)) throw unreadable();
        state.targets[pluginId] = version;
      }
    }
    return state;
  }

  /** Reads the state from disk under the cache lock, applies `change`, writes it back, and keeps it. */
  private async commitState(change: (state: StoredState) => void): Promise<void> {
    await this.ensureFolder();
    const release = await acquireLock(join(this.options.cacheDirectory, 'locks'), 'metadata-v2-state', {
      waitMs: 10_000,
    });
    try {
      const state = await this.readState();
      change(state);
      await writeFileAtomic(join(this.folder, 'state.json'), `${JSON.stringify(state)}\n`);
      if (this.loaded !== undefined) this.loaded.state = state;
    } finally {
      await release();
    }
  }

  private ensureFolder(): Promise<void> {
    this.folderReady ??= mkdir(this.folder, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        this.folderReady = undefined;
        throw error;
      },
    );
    return this.folderReady;
  }

  private async writeFile(name: string, bytes: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    await this.ensureFolder();
    await writeFileAtomic(join(this.folder, name), bytes, options);
  }

  private async readFileOrUndefined(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.folder, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
