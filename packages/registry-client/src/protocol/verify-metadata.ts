import { createHash } from 'node:crypto';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import {
  type CheckResult,
  checkRootBody,
  checkSnapshotBody,
  checkTargetsBody,
  checkTimestampBody,
  checkTreeNode,
} from './check-metadata';
import {
  hashPluginId,
  METADATA_PROTOCOL_VERSION,
  type MetaReference,
  type RoleName,
  type RootBody,
  type SnapshotBody,
  type TargetsBody,
  type TimestampBody,
  type TreeEntry,
  type TreeNode,
} from './metadata-types';
import { countRoleSignatures, type MetadataEnvelope, readEnvelope } from './sign-metadata';
import { type ResolvedPublicKey, resolvePublicKey, type TrustedKey } from './signing-keys';

/** Largest root document a client reads. */
export const MAX_ROOT_BYTES: number = 512 * 1024;
/** Largest timestamp document a client reads (it is fetched without a pinned length). */
export const MAX_TIMESTAMP_BYTES: number = 16 * 1024;

/** A root document this client trusts, with its keys ready to verify. */
export interface VerifiedRoot {
  body: RootBody;
  keys: ReadonlyMap<string, ResolvedPublicKey>;
  /** The document's bytes as received (what a client stores to trust it next time). */
  bytes: Buffer;
}

/** A verified timestamp and the sha256 of its bytes (two bodies of one version tell equivocation). */
export interface VerifiedTimestamp {
  body: TimestampBody;
  sha256: string;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parse(bytes: Uint8Array, what: string, maxBytes: number): unknown {
  return parseUntrustedJson(bytes, { code: 'SIGNATURE_INVALID', what, maxBytes });
}

function checkProtocol(envelope: MetadataEnvelope, what: string): void {
  const protocolVersion = Object.hasOwn(envelope.signed, 'protocol_version')
    ? envelope.signed.protocol_version
    : undefined;
  if (protocolVersion !== METADATA_PROTOCOL_VERSION) {
    throw new PluginError(
      'INCOMPATIBLE',
      `${what} speaks protocol ${String(protocolVersion).slice(0, 40)}; this client speaks ${METADATA_PROTOCOL_VERSION}`,
      { details: { protocolVersion: String(protocolVersion).slice(0, 40) } },
    );
  }
}

function shaped<Body>(result: CheckResult<Body>, what: string): Body {
  if (!result.success) {
    throw new PluginError('INDEX_INVALID', `${what} breaks protocol version 2: ${result.message}`);
  }
  return result.data;
}

function requireThreshold(
  envelope: MetadataEnvelope,
  root: { body: RootBody; keys: ReadonlyMap<string, ResolvedPublicKey> },
  role: RoleName,
  what: string,
): void {
  const keys = root.body.roles[role];
  const count = countRoleSignatures(envelope, keys, root.keys);
  if (count < keys.threshold) {
    throw new PluginError(
      'SIGNATURE_INVALID',
      `${what} has ${count} valid signature${count === 1 ? '' : 's'} by ${role} keys of root version ${root.body.version}; ${keys.threshold} are required`,
      { details: { role, valid: count, threshold: keys.threshold, rootVersion: root.body.version } },
    );
  }
}

function requireFresh(body: { expires: string; version: number }, now: Date, what: string): void {
  if (Date.parse(body.expires) <= now.getTime()) {
    throw new PluginError('INDEX_EXPIRED', `${what} version ${body.version} expired at ${body.expires}`, {
      details: { expires: body.expires, version: body.version },
    });
  }
}

function requireReference(bytes: Uint8Array, reference: MetaReference, what: string): void {
  if (bytes.byteLength !== reference.length || sha256Of(bytes) !== reference.sha256) {
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `${what} does not match the sha256 and length its signed parent pins (mixed metadata)`,
      { details: { expectedSha256: reference.sha256, expectedLength: reference.length } },
    );
  }
}

function readRootKeys(body: RootBody): Map<string, ResolvedPublicKey> {
  const keys = new Map<string, ResolvedPublicKey>();
  for (const [keyId, key] of Object.entries(body.keys)) {
    try {
      keys.set(keyId, resolvePublicKey({ keyId, publicKey: key.public }));
    } catch (error) {
      throw new PluginError(
        'SIGNATURE_INVALID',
        `root version ${body.version} lists an unusable key ${keyId}`,
        {
          cause: error,
        },
      );
    }
  }
  return keys;
}

function openRoot(bytes: Buffer, what: string): { envelope: MetadataEnvelope; root: VerifiedRoot } {
  const envelope = readEnvelope(parse(bytes, what, MAX_ROOT_BYTES), what);
  checkProtocol(envelope, what);
  const body = shaped(checkRootBody(envelope.signed), what);
  return { envelope, root: { body, keys: readRootKeys(body), bytes } };
}

/**
 * Reads the root document a client starts from (its trust anchor, shipped with it or configured):
 * it must be signed by a threshold of its own root keys. Its expiry is checked after updating.
 * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INCOMPATIBLE
 */
export function verifyTrustedRoot(document: Uint8Array | string): VerifiedRoot {
  const bytes = Buffer.from(document);
  const { envelope, root } = openRoot(bytes, 'the trusted root');
  requireThreshold(envelope, root, 'root', 'the trusted root');
  return root;
}

/**
 * Reads root version 1 fetched from a marketplace whose keys the client was given instead of a root
 * document (what `trustedKeys` pins): it must be version 1, signed by a threshold of its own root
 * keys, and that threshold must be met by root keys among `trustedKeys` alone. Any root the
 * marketplace rotates to later is reached from it by {@link verifyNextRoot}.
 * @throws PluginError SIGNATURE_INVALID (not signed by the trusted keys), INDEX_INVALID, INCOMPATIBLE, INVALID_ARGUMENT (an unreadable trusted key)
 */
export function verifyPinnedRoot(document: Uint8Array, trustedKeys: readonly TrustedKey[]): VerifiedRoot {
  const what = 'root version 1';
  const { envelope, root } = openRoot(Buffer.from(document), what);
  requireThreshold(envelope, root, 'root', what);
  if (root.body.version !== 1) {
    throw new PluginError('INDEX_INVALID', `the file of root version 1 holds version ${root.body.version}`);
  }
  const pinned = new Map<string, ResolvedPublicKey>();
  for (const key of trustedKeys) {
    const resolved = resolvePublicKey(key);
    pinned.set(resolved.keyId, resolved);
  }
  const role = root.body.roles.root;
  const count = countRoleSignatures(envelope, role, pinned);
  if (count < role.threshold) {
    throw new PluginError(
      'SIGNATURE_INVALID',
      `${what} of the marketplace has ${count} valid signature${count === 1 ? '' : 's'} by the trusted keys; ${role.threshold} are required`,
      { details: { role: 'root', valid: count, threshold: role.threshold, rootVersion: 1 } },
    );
  }
  return root;
}

/**
 * Verifies root version N+1 against trusted root N: signed by a threshold of N's root keys and by
 * a threshold of its own, and numbered exactly N+1. A stolen key below either threshold cannot
 * replace the trust anchors, and an old root cannot come back.
 * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INCOMPATIBLE, ROLLBACK_DETECTED
 */
export function verifyNextRoot(trusted: VerifiedRoot, document: Uint8Array): VerifiedRoot {
  const expected = trusted.body.version + 1;
  const what = `root version ${expected}`;
  const { envelope, root } = openRoot(Buffer.from(document), what);
  requireThreshold(envelope, trusted, 'root', what);
  requireThreshold(envelope, root, 'root', what);
  if (root.body.version !== expected) {
    throw new PluginError(
      'ROLLBACK_DETECTED',
      `the file of root version ${expected} holds version ${root.body.version}`,
      { details: { expected, version: root.body.version } },
    );
  }
  return root;
}

/**
 * Refuses a root past its expiry (after the update walk: a freeze on the trust anchors).
 * @throws PluginError INDEX_EXPIRED
 */
export function checkRootFresh(root: VerifiedRoot, now: Date): void {
  requireFresh(root.body, now, 'the root');
}

/** What the client remembers of the last timestamp it accepted. */
export interface TrustedTimestampState {
  version: number;
  sha256: string;
  snapshotVersion: number;
}

/**
 * Verifies a timestamp: a threshold of timestamp keys, not older than the last one accepted
 * (nor the same version with other bytes), not pinning an older snapshot, and not expired.
 * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INCOMPATIBLE, ROLLBACK_DETECTED, INDEX_EXPIRED
 */
export function verifyTimestamp(
  document: Uint8Array,
  options: { root: VerifiedRoot; now: Date; previous?: TrustedTimestampState },
): VerifiedTimestamp {
  const what = 'the timestamp';
  const envelope = readEnvelope(parse(document, what, MAX_TIMESTAMP_BYTES), what);
  checkProtocol(envelope, what);
  requireThreshold(envelope, options.root, 'timestamp', what);
  const body = shaped(checkTimestampBody(envelope.signed), what);
  const sha256 = sha256Of(document);
  const previous = options.previous;
  if (previous !== undefined) {
    if (
      body.version < previous.version ||
      (body.version === previous.version && sha256 !== previous.sha256)
    ) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        body.version < previous.version
          ? `the marketplace served timestamp version ${body.version}, older than version ${previous.version} seen before`
          : `the marketplace served different content under timestamp version ${body.version}`,
        { details: { version: body.version, lastSeenVersion: previous.version } },
      );
    }
    if (body.snapshot.version < previous.snapshotVersion) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `the timestamp pins snapshot version ${body.snapshot.version}, older than version ${previous.snapshotVersion} seen before`,
        { details: { version: body.snapshot.version, lastSeenVersion: previous.snapshotVersion } },
      );
    }
  }
  requireFresh(body, options.now, what);
  return { body, sha256 };
}

/**
 * Verifies the snapshot the timestamp pins: its exact bytes (sha256 and length), a threshold of
 * snapshot keys, the pinned version, and its expiry.
 * @throws PluginError INTEGRITY_MISMATCH, SIGNATURE_INVALID, INDEX_INVALID, INCOMPATIBLE, INDEX_EXPIRED
 */
export function verifySnapshot(
  document: Uint8Array,
  options: { root: VerifiedRoot; timestamp: TimestampBody; now: Date },
): SnapshotBody {
  const what = `snapshot version ${options.timestamp.snapshot.version}`;
  requireReference(document, options.timestamp.snapshot, what);
  const envelope = readEnvelope(parse(document, what, document.byteLength), what);
  checkProtocol(envelope, what);
  requireThreshold(envelope, options.root, 'snapshot', what);
  const body = shaped(checkSnapshotBody(envelope.signed), what);
  if (body.version !== options.timestamp.snapshot.version) {
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `the timestamp pins snapshot version ${options.timestamp.snapshot.version}, the file holds ${body.version}`,
    );
  }
  requireFresh(body, options.now, what);
  return body;
}

/**
 * Verifies one node of the targets tree against the reference its parent (or the snapshot) holds,
 * and its place: `prefix` is the hex path from the root, so a leaf may only hold plugins whose
 * hashed id starts with it, and a lookup has one answer.
 * @throws PluginError INTEGRITY_MISMATCH, INDEX_INVALID
 */
export function verifyTreeNode(
  document: Uint8Array,
  options: { reference: MetaReference; prefix: string },
): TreeNode {
  const what = `the tree node at "${options.prefix}"`;
  requireReference(document, options.reference, what);
  const node = shaped(
    checkTreeNode(
      parseUntrustedJson(document, { code: 'INDEX_INVALID', what, maxBytes: document.byteLength }),
    ),
    what,
  );
  if (node.depth !== options.prefix.length) {
    throw new PluginError('INDEX_INVALID', `${what} says it is at depth ${node.depth}`);
  }
  if ('plugins' in node) {
    for (const pluginId of Object.keys(node.plugins)) {
      if (!hashPluginId(pluginId).startsWith(options.prefix)) {
        throw new PluginError(
          'INDEX_INVALID',
          `${what} holds ${pluginId}, which belongs elsewhere in the tree`,
        );
      }
    }
  }
  return node;
}

/**
 * Verifies a plugin's targets document against its tree entry: exact bytes, a threshold of
 * targets keys, the plugin id and the pinned version, and no rollback below `previousVersion`.
 * @throws PluginError INTEGRITY_MISMATCH, SIGNATURE_INVALID, INDEX_INVALID, INCOMPATIBLE, ROLLBACK_DETECTED
 */
export function verifyTargets(
  document: Uint8Array,
  options: { root: VerifiedRoot; pluginId: string; entry: TreeEntry; previousVersion?: number },
): TargetsBody {
  const what = `the targets of ${options.pluginId} (version ${options.entry.version})`;
  requireReference(document, options.entry, what);
  const envelope = readEnvelope(parse(document, what, document.byteLength), what);
  checkProtocol(envelope, what);
  requireThreshold(envelope, options.root, 'targets', what);
  const body = shaped(checkTargetsBody(envelope.signed), what);
  if (body.plugin_id !== options.pluginId || body.version !== options.entry.version) {
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `${what} holds ${body.plugin_id} version ${body.version} instead (mixed metadata)`,
    );
  }
  if (options.previousVersion !== undefined && body.version < options.previousVersion) {
    throw new PluginError(
      'ROLLBACK_DETECTED',
      `the marketplace served targets version ${body.version} of ${options.pluginId}, older than version ${options.previousVersion} seen before`,
      {
        details: {
          pluginId: options.pluginId,
          version: body.version,
          lastSeenVersion: options.previousVersion,
        },
      },
    );
  }
  return body;
}

/** Whether two roots trust the same keys for `role` (when not, a client forgets what it saw signed by the old ones). */
export function sameRoleKeys(left: RootBody, right: RootBody, role: RoleName): boolean {
  const before = left.roles[role];
  const after = right.roles[role];
  return (
    before.threshold === after.threshold &&
    before.keyids.length === after.keyids.length &&
    before.keyids.every((keyId) => after.keyids.includes(keyId))
  );
}
