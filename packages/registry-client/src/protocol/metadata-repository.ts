import { createHash } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { MetadataTree } from './metadata-tree';
import {
  formatRootPath,
  formatSnapshotPath,
  formatTargetsPath,
  METADATA_PROTOCOL_VERSION,
  type MetadataFile,
  type RoleKeys,
  type RoleName,
  type RootBody,
  type RootKey,
  type SignedMetadata,
  type SnapshotBody,
  type TargetsBody,
  TIMESTAMP_PATH,
  type TimestampBody,
} from './metadata-types';
import { resolveSigners, serializeMetadata, signMetadata } from './sign-metadata';
import { type ResolvedPrivateKey, resolvePublicKey, type SigningKey, type TrustedKey } from './signing-keys';
import { openStoredMetadata } from './stored-metadata';

/** The keys a marketplace signs its online roles with. Root keys are used only by {@link createRootMetadata}. */
export interface MetadataSigners {
  targets: readonly SigningKey[];
  snapshot: readonly SigningKey[];
  timestamp: readonly SigningKey[];
}

/** How long each signed role stays valid. */
export interface MetadataLifetimes {
  /** The freeze window: a client refuses a timestamp older than this. Default 6 hours. */
  timestampMs: number;
  /** Default 30 days; the snapshot is re-signed with every change anyway. */
  snapshotMs: number;
}

/** The default lifetimes: timestamp 6 hours, snapshot 30 days. */
export const DEFAULT_METADATA_LIFETIMES: Readonly<MetadataLifetimes> = {
  timestampMs: 6 * 60 * 60 * 1000,
  snapshotMs: 30 * 24 * 60 * 60 * 1000,
};

/** Options of {@link createRootMetadata}. */
export interface CreateRootMetadataOptions {
  /** 1 for the first root; each rotation is exactly one more. */
  version: number;
  expires: Date;
  /** The public keys of each role. */
  keys: Record<RoleName, readonly TrustedKey[]>;
  /** How many keys of each role must sign; default 1. */
  thresholds?: Partial<Record<RoleName, number>>;
  /** Who signs: a threshold of the new root keys, and for a rotation also a threshold of the old ones. */
  signers: readonly SigningKey[];
}

/**
 * Signs a root document and returns it with the file to serve (`v2/root/<version>.json`).
 * @throws PluginError INVALID_ARGUMENT when a key cannot be read or a threshold exceeds a role's keys
 * @example
 * const root = createRootMetadata({ version: 1, expires, keys: { root: [a, b], targets: [t], snapshot: [s], timestamp: [s] }, thresholds: { root: 2 }, signers: [a, b] });
 */
export function createRootMetadata(options: CreateRootMetadataOptions): {
  document: SignedMetadata<RootBody>;
  file: MetadataFile;
} {
  const keys = Object.create(null) as Record<string, RootKey>;
  const roles = Object.create(null) as Record<RoleName, RoleKeys>;
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const keyids: string[] = [];
    for (const trusted of options.keys[role]) {
      const resolved = resolvePublicKey(trusted);
      keys[resolved.keyId] = {
        keytype: 'ed25519',
        public: resolved.key.export({ type: 'spki', format: 'der' }).toString('base64'),
      };
      if (!keyids.includes(resolved.keyId)) keyids.push(resolved.keyId);
    }
    const threshold = options.thresholds?.[role] ?? 1;
    if (keyids.length === 0 || !Number.isInteger(threshold) || threshold < 1 || threshold > keyids.length) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        `the ${role} role has ${keyids.length} keys; its threshold must be from 1 to that, not ${threshold}`,
      );
    }
    roles[role] = { keyids, threshold };
  }
  const document = signMetadata<RootBody>(
    {
      _type: 'agentplug-root',
      protocol_version: METADATA_PROTOCOL_VERSION,
      version: options.version,
      expires: options.expires.toISOString(),
      keys,
      roles,
    },
    options.signers,
  );
  return { document, file: { path: formatRootPath(options.version), bytes: serializeMetadata(document) } };
}

/** What a plugin's targets say besides the bookkeeping fields the repository fills in. */
export type TargetsContent = Pick<TargetsBody, 'plugin' | 'versions'>;

/** Options of {@link MetadataRepository}. */
export interface MetadataRepositoryOptions {
  signers: MetadataSigners;
  lifetimes?: Partial<MetadataLifetimes>;
  /** Written into each snapshot when a server offers search. */
  searchEndpoint?: string;
}

/** Where a repository left off: read back from the files it wrote. */
interface RepositoryState {
  tree: MetadataTree;
  snapshotVersion: number;
  timestampVersion: number;
  snapshot?: { reference: { sha256: string; length: number }; expires: number };
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The online half of a v2 marketplace: it signs each changed plugin's targets, keeps the targets
 * tree, and signs the snapshot and the timestamp. Every method returns the files to store, in the
 * order to store them (the timestamp last); nothing is written by the repository itself.
 */
export class MetadataRepository {
  private readonly staged: MetadataFile[] = [];
  private readonly lifetimes: MetadataLifetimes;
  private readonly signers: Record<keyof MetadataSigners, ResolvedPrivateKey[]>;

  private constructor(
    private readonly options: MetadataRepositoryOptions,
    private readonly state: RepositoryState,
  ) {
    this.lifetimes = { ...DEFAULT_METADATA_LIFETIMES, ...options.lifetimes };
    this.signers = {
      targets: resolveSigners(options.signers.targets),
      snapshot: resolveSigners(options.signers.snapshot),
      timestamp: resolveSigners(options.signers.timestamp),
    };
  }

  /** A repository with nothing signed yet, over an empty tree or the one given (bulk imports, benches). */
  static create(
    options: MetadataRepositoryOptions,
    initial: { tree?: MetadataTree } = {},
  ): MetadataRepository {
    return new MetadataRepository(options, {
      tree: initial.tree ?? new MetadataTree(),
      snapshotVersion: 0,
      timestampVersion: 0,
    });
  }

  /**
   * Reopens a repository from the files it wrote (timestamp, snapshot, tree), or an empty one when
   * there is no timestamp yet. Its own files are checked like anyone's: by hash.
   * @throws PluginError INDEX_INVALID, INTEGRITY_MISMATCH when the stored metadata is damaged
   */
  static async open(
    options: MetadataRepositoryOptions & { read: (path: string) => Promise<Uint8Array | undefined> },
  ): Promise<MetadataRepository> {
    const stored = await openStoredMetadata(options.read);
    if (stored === undefined) return MetadataRepository.create(options);
    return new MetadataRepository(options, {
      tree: stored.tree,
      snapshotVersion: stored.snapshotVersion,
      timestampVersion: stored.timestampVersion,
      snapshot: {
        reference: { sha256: stored.snapshot.sha256, length: stored.snapshot.length },
        expires: stored.snapshot.expires,
      },
    });
  }

  /** How many plugins the tree holds. */
  get pluginCount(): number {
    return this.state.tree.size;
  }

  /** The current snapshot version (0 before the first commit). */
  get snapshotVersion(): number {
    return this.state.snapshotVersion;
  }

  /** The targets version a plugin is at, or 0 when it has none. */
  targetsVersion(pluginId: string): number {
    return this.state.tree.get(pluginId)?.version ?? 0;
  }

  /**
   * Signs a plugin's new targets (one more than its last) and stages it for the next commit.
   * @throws PluginError INVALID_ARGUMENT when the plugin id is not valid or a key cannot be read
   */
  putTargets(pluginId: string, content: TargetsContent): void {
    const version = this.targetsVersion(pluginId) + 1;
    const document = signMetadata<TargetsBody>(
      {
        _type: 'agentplug-targets',
        protocol_version: METADATA_PROTOCOL_VERSION,
        plugin_id: pluginId,
        version,
        plugin: content.plugin,
        versions: content.versions,
      },
      this.signers.targets,
    );
    const bytes = serializeMetadata(document);
    this.staged.push({ path: formatTargetsPath(pluginId, version), bytes });
    this.state.tree.set(pluginId, { version, sha256: sha256Of(bytes), length: bytes.byteLength });
  }

  /** Every plugin the tree holds. */
  pluginIds(): string[] {
    return this.state.tree.pluginIds();
  }

  /** Drops a plugin from the tree at the next commit (its targets files stay, unreferenced). */
  removeTargets(pluginId: string): void {
    this.state.tree.delete(pluginId);
  }

  /**
   * Signs a new snapshot over the tree and a timestamp pinning it. Returns every file to store:
   * staged targets, changed tree nodes, the snapshot, then the timestamp.
   */
  commit(now: Date = new Date()): MetadataFile[] {
    const { reference, files } = this.state.tree.commit();
    const version = this.state.snapshotVersion + 1;
    const expires = now.getTime() + this.lifetimes.snapshotMs;
    const body: SnapshotBody = {
      _type: 'agentplug-snapshot',
      protocol_version: METADATA_PROTOCOL_VERSION,
      version,
      expires: new Date(expires).toISOString(),
      tree: reference,
      plugin_count: this.state.tree.size,
    };
    if (this.options.searchEndpoint !== undefined) body.search_endpoint = this.options.searchEndpoint;
    const bytes = serializeMetadata(signMetadata(body, this.signers.snapshot));
    const out = [...this.staged.splice(0), ...files, { path: formatSnapshotPath(version), bytes }];
    this.state.snapshotVersion = version;
    this.state.snapshot = { reference: { sha256: sha256Of(bytes), length: bytes.byteLength }, expires };
    out.push(this.signTimestamp(now));
    return out;
  }

  /**
   * A new timestamp for the current snapshot (what a server does every half timestamp lifetime);
   * commits instead when the snapshot is past half its own lifetime or there is none yet.
   */
  renew(now: Date = new Date()): MetadataFile[] {
    const snapshot = this.state.snapshot;
    if (
      snapshot === undefined ||
      this.staged.length > 0 ||
      snapshot.expires - now.getTime() < this.lifetimes.snapshotMs / 2
    ) {
      return this.commit(now);
    }
    return [this.signTimestamp(now)];
  }

  private signTimestamp(now: Date): MetadataFile {
    const snapshot = this.state.snapshot as NonNullable<RepositoryState['snapshot']>;
    const version = this.state.timestampVersion + 1;
    const body: TimestampBody = {
      _type: 'agentplug-timestamp',
      protocol_version: METADATA_PROTOCOL_VERSION,
      version,
      expires: new Date(now.getTime() + this.lifetimes.timestampMs).toISOString(),
      snapshot: { version: this.state.snapshotVersion, ...snapshot.reference },
    };
    this.state.timestampVersion = version;
    return {
      path: TIMESTAMP_PATH,
      bytes: serializeMetadata(signMetadata(body, this.signers.timestamp)),
    };
  }
}
