import { createHash } from 'node:crypto';
import { PluginError, type PluginType, type RiskLevel } from '@agentplug/models';
import { assertPluginId } from './identifiers';
import type { IndexVersionEntry } from './marketplace-index';

/** The protocol version of the role metadata (PROTOCOL.md, version 2). */
export const METADATA_PROTOCOL_VERSION = 2;
/** The folder of every version 2 metadata file, relative to the marketplace URL. */
export const METADATA_PATH = 'v2';
/** The one metadata file that is not content-addressed: fetched on every refresh, conditionally. */
export const TIMESTAMP_PATH = 'v2/timestamp.json';

/** The four top-level roles; each has its own keys and threshold in the root document. */
export type RoleName = 'root' | 'targets' | 'snapshot' | 'timestamp';
/** Every role, in the order a client trusts them. */
export const ROLE_NAMES: readonly RoleName[] = ['root', 'timestamp', 'snapshot', 'targets'];

/** A metadata file a marketplace stores and serves: its path under the marketplace URL and its bytes. */
export interface MetadataFile {
  path: string;
  bytes: Uint8Array;
}

/** One signature over the canonical JSON of `signed`. */
export interface MetadataSignature {
  /** sha256 (hex) of the signing key's SPKI DER public key. */
  keyid: string;
  /** base64 ed25519 signature. */
  sig: string;
}

/** A signed metadata document: the body and its signatures. */
export interface SignedMetadata<Body> {
  signed: Body;
  signatures: MetadataSignature[];
}

/** A public key in the root document. */
export interface RootKey {
  keytype: 'ed25519';
  /** base64 SPKI DER. Its sha256 must equal the key id it is listed under. */
  public: string;
}

/** Which keys may sign for a role, and how many of them must. */
export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

/** The root document: the trust anchor, listing every role's keys and threshold. */
export interface RootBody {
  _type: 'agentplug-root';
  protocol_version: number;
  /** Each new root is exactly one more, signed by a threshold of the old root keys and of its own. */
  version: number;
  expires: string;
  keys: Record<string, RootKey>;
  roles: Record<RoleName, RoleKeys>;
}

/** Where a metadata file is and what it must hash to. */
export interface MetaReference {
  sha256: string;
  /** Exact byte length: a client reads no more. */
  length: number;
}

/** The timestamp document: short-lived, it pins the current snapshot. */
export interface TimestampBody {
  _type: 'agentplug-timestamp';
  protocol_version: number;
  version: number;
  expires: string;
  snapshot: MetaReference & { version: number };
}

/** The snapshot document: it pins the one current targets file of every plugin through a hash tree. */
export interface SnapshotBody {
  _type: 'agentplug-snapshot';
  protocol_version: number;
  version: number;
  expires: string;
  /** The root node of the targets tree. */
  tree: MetaReference;
  /** How many plugins the tree holds. */
  plugin_count: number;
  /** Path of the server's search endpoint relative to the marketplace URL, when a server offers one. */
  search_endpoint?: string;
}

/** A leaf entry of the targets tree: the current targets file of one plugin. */
export interface TreeEntry extends MetaReference {
  /** The plugin's targets version (monotonic per plugin). */
  version: number;
}

/** A node of the targets tree: a branch (children by the next hex digit) or a leaf (plugins). */
export type TreeNode =
  | { _type: 'agentplug-tree'; depth: number; children: Record<string, MetaReference> }
  | { _type: 'agentplug-tree'; depth: number; plugins: Record<string, TreeEntry> };

/** Why a version must not be installed or loaded. */
export interface Revocation {
  reason: string;
  /** How bad it is; `critical` revocations are refused by the loader by default. */
  severity: RiskLevel;
  revoked_at: string;
}

/** One version in a plugin's targets: the v1 index entry, plus a revocation when revoked. */
export interface TargetsVersionEntry extends IndexVersionEntry {
  revoked?: Revocation;
}

/** What search shows of a plugin (signed, but not counters: those change too often to sign). */
export interface TargetsPluginInfo {
  name: string;
  description: string;
  plugin_type: PluginType;
  tags: string[];
  author: string;
}

/** A plugin's targets document: every published version, with sha256, size and revocations. */
export interface TargetsBody {
  _type: 'agentplug-targets';
  protocol_version: number;
  plugin_id: string;
  /** Monotonic per plugin: a client refuses a lower one than it has seen. */
  version: number;
  plugin: TargetsPluginInfo;
  versions: Record<string, TargetsVersionEntry>;
}

/**
 * The path of root version `version`: `v2/root/<version>.json`. Clients walk these one by one.
 * @throws PluginError INVALID_ARGUMENT when the version is not a positive integer
 */
export function formatRootPath(version: number): string {
  return `${METADATA_PATH}/root/${positive(version)}.json`;
}

/**
 * The path of snapshot version `version`: `v2/snapshot/<version>.json`.
 * @throws PluginError INVALID_ARGUMENT when the version is not a positive integer
 */
export function formatSnapshotPath(version: number): string {
  return `${METADATA_PATH}/snapshot/${positive(version)}.json`;
}

/**
 * The path of a tree node by its sha256: `v2/tree/<sha256>.json` (cacheable forever).
 * @throws PluginError INVALID_ARGUMENT when `sha256` is not 64 lowercase hex digits
 */
export function formatTreeNodePath(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new PluginError('INVALID_ARGUMENT', 'a tree node is named by its sha256 (64 lowercase hex digits)');
  }
  return `${METADATA_PATH}/tree/${sha256}.json`;
}

/**
 * The path of a plugin's targets version `version`: `v2/targets/<plugin_id>/<version>.json`.
 * @throws PluginError INVALID_ARGUMENT when the id or the version is not valid
 */
export function formatTargetsPath(pluginId: string, version: number): string {
  assertPluginId(pluginId, 'INVALID_ARGUMENT', 'the plugin id');
  return `${METADATA_PATH}/targets/${pluginId}/${positive(version)}.json`;
}

function positive(version: number): number {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `a metadata version must be a positive integer, not ${String(version)}`,
    );
  }
  return version;
}

/** Whether `path` is one a version 2 metadata file can have (so safe to map to a file or a key). */
export function isMetadataPath(path: string): boolean {
  return (
    path === TIMESTAMP_PATH ||
    /^v2\/(?:root|snapshot)\/[1-9][0-9]{0,15}\.json$/.test(path) ||
    /^v2\/tree\/[0-9a-f]{64}\.json$/.test(path) ||
    /^v2\/targets\/[a-z0-9][a-z0-9.-]{0,127}\/[1-9][0-9]{0,15}\.json$/.test(path)
  );
}

/** Where a plugin sits in the targets tree: the sha256 (hex) of its id, read one digit per level. */
export function hashPluginId(pluginId: string): string {
  return createHash('sha256').update(pluginId, 'utf8').digest('hex');
}
