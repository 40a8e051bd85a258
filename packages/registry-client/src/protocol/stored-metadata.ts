import { createHash } from 'node:crypto';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import { type CheckResult, checkSnapshotBody, checkTimestampBody } from './check-metadata';
import { MetadataTree } from './metadata-tree';
import { formatSnapshotPath, TIMESTAMP_PATH, type TimestampBody } from './metadata-types';

/** What a marketplace's stored online metadata says: where the next signing round starts from. */
export interface StoredMetadataState {
  tree: MetadataTree;
  snapshotVersion: number;
  timestampVersion: number;
  /** The snapshot the timestamp pins, and when that snapshot expires (epoch milliseconds). */
  snapshot: { sha256: string; length: number; expires: number };
}

/** Reads a stored metadata file by path, undefined when there is none. */
export type ReadStoredMetadata = (path: string) => Promise<Uint8Array | undefined>;

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readStoredBody<Body>(
  bytes: Uint8Array,
  path: string,
  check: (value: unknown) => CheckResult<Body>,
): Body {
  const document = parseUntrustedJson(bytes, { code: 'INDEX_INVALID', what: `the stored ${path}` });
  const signed =
    typeof document === 'object' && document !== null && Object.hasOwn(document, 'signed')
      ? (document as { signed: unknown }).signed
      : undefined;
  const result = check(signed);
  if (!result.success) {
    throw new PluginError('INDEX_INVALID', `the stored ${path} is damaged: ${result.message}`);
  }
  return result.data;
}

/**
 * Reads the body of a stored timestamp (the marketplace's own file, checked for shape, not signature).
 * @throws PluginError INDEX_INVALID when the stored timestamp is damaged
 */
export function readStoredTimestamp(bytes: Uint8Array): TimestampBody {
  return readStoredBody(bytes, TIMESTAMP_PATH, checkTimestampBody);
}

/**
 * Reads the stored online metadata (timestamp, the snapshot it pins, the targets tree), each checked
 * by hash like anyone's, or undefined when there is no timestamp yet.
 * @throws PluginError INDEX_INVALID, INTEGRITY_MISMATCH when the stored metadata is damaged
 */
export async function openStoredMetadata(read: ReadStoredMetadata): Promise<StoredMetadataState | undefined> {
  const timestampBytes = await read(TIMESTAMP_PATH);
  if (timestampBytes === undefined) return undefined;
  const timestamp = readStoredTimestamp(timestampBytes);
  const snapshotPath = formatSnapshotPath(timestamp.snapshot.version);
  const snapshotBytes = await read(snapshotPath);
  if (snapshotBytes === undefined || sha256Of(snapshotBytes) !== timestamp.snapshot.sha256) {
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `the stored ${snapshotPath} is missing or not the one the timestamp pins`,
    );
  }
  const snapshot = readStoredBody(snapshotBytes, snapshotPath, checkSnapshotBody);
  return {
    tree: await MetadataTree.load(snapshot.tree, read),
    snapshotVersion: snapshot.version,
    timestampVersion: timestamp.version,
    snapshot: { ...timestamp.snapshot, expires: Date.parse(snapshot.expires) },
  };
}
