// Reads a marketplace's signed v2 metadata the way a client does (root 1 pinned by the public key,
// timestamp, snapshot, every tree node, every plugin's targets), verifying each signature and hash:
// what the tests compare with every acknowledgement.
import {
  type TargetsBody,
  type TreeEntry,
  verifyPinnedRoot,
  verifySnapshot,
  verifyTargets,
  verifyTimestamp,
  verifyTreeNode,
} from '@agentplug/registry-client/protocol';

/** Every plugin the signed metadata holds, by id, and the snapshot version that signs them. */
export interface SignedCatalog {
  snapshotVersion: number;
  plugins: Map<string, TargetsBody>;
}

/** Reads a metadata file by path (`v2/...`); undefined when there is none. */
export type ReadMetadataFile = (path: string) => Promise<Uint8Array | undefined>;

/** A reader over a running server's HTTP. */
export function readOverHttp(baseUrl: string): ReadMetadataFile {
  return async (path) => {
    const response = await fetch(new URL(path, baseUrl));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

/** Verifies and reads the whole signed catalog; throws the client's error on any bad file. */
export async function readSignedCatalog(read: ReadMetadataFile, publicKey: string): Promise<SignedCatalog> {
  const need = async (path: string): Promise<Uint8Array> => {
    const bytes = await read(path);
    if (bytes === undefined) throw new Error(`${path} is missing`);
    return bytes;
  };
  const now = new Date();
  const root = verifyPinnedRoot(await need('v2/root/1.json'), [publicKey]);
  const timestamp = verifyTimestamp(await need('v2/timestamp.json'), { root, now });
  const snapshot = verifySnapshot(await need(`v2/snapshot/${timestamp.body.snapshot.version}.json`), {
    root,
    timestamp: timestamp.body,
    now,
  });
  const entries = new Map<string, TreeEntry>();
  const walk = async (reference: { sha256: string; length: number }, prefix: string): Promise<void> => {
    const node = verifyTreeNode(await need(`v2/tree/${reference.sha256}.json`), { reference, prefix });
    if ('plugins' in node) {
      for (const [pluginId, entry] of Object.entries(node.plugins)) entries.set(pluginId, entry);
      return;
    }
    for (const [digit, child] of Object.entries(node.children)) await walk(child, `${prefix}${digit}`);
  };
  await walk(snapshot.tree, '');
  const plugins = new Map<string, TargetsBody>();
  for (const [pluginId, entry] of entries) {
    const bytes = await need(`v2/targets/${pluginId}/${entry.version}.json`);
    plugins.set(pluginId, verifyTargets(bytes, { root, pluginId, entry }));
  }
  return { snapshotVersion: snapshot.version, plugins };
}
