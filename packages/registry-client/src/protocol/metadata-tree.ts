import { createHash } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { canonicalizeJson } from './canonicalize-json';
import { MAX_TREE_DEPTH } from './check-metadata';
import {
  formatTreeNodePath,
  hashPluginId,
  type MetadataFile,
  type MetaReference,
  type TreeEntry,
} from './metadata-types';
import { verifyTreeNode } from './verify-metadata';

/** Most plugins a leaf holds before it splits into sixteen children: the tree's shape follows from its content. */
export const TREE_BUCKET_SIZE = 32;

interface Leaf {
  kind: 'leaf';
  depth: number;
  /** Plugin id to its hashed id and entry. */
  plugins: Map<string, { key: string; entry: TreeEntry }>;
  encoded?: MetaReference;
}

interface Branch {
  kind: 'branch';
  depth: number;
  children: Map<string, TreeNodeState>;
  count: number;
  encoded?: MetaReference;
}

type TreeNodeState = Leaf | Branch;

function createLeaf(depth: number): Leaf {
  return { kind: 'leaf', depth, plugins: new Map() };
}

function countOf(node: TreeNodeState): number {
  return node.kind === 'leaf' ? node.plugins.size : node.count;
}

/** Adds or replaces; returns the node now in this place and whether a plugin was added. */
function insert(
  node: TreeNodeState,
  pluginId: string,
  value: { key: string; entry: TreeEntry },
): { node: TreeNodeState; added: boolean } {
  node.encoded = undefined;
  if (node.kind === 'leaf') {
    const added = !node.plugins.has(pluginId);
    node.plugins.set(pluginId, value);
    if (node.plugins.size <= TREE_BUCKET_SIZE || node.depth >= MAX_TREE_DEPTH) return { node, added };
    let branch: TreeNodeState = { kind: 'branch', depth: node.depth, children: new Map(), count: 0 };
    for (const [id, item] of node.plugins) branch = insert(branch, id, item).node;
    return { node: branch, added };
  }
  const digit = value.key[node.depth] as string;
  const child = node.children.get(digit) ?? createLeaf(node.depth + 1);
  const result = insert(child, pluginId, value);
  node.children.set(digit, result.node);
  if (result.added) node.count += 1;
  return { node, added: result.added };
}

function collect(node: TreeNodeState, into: Map<string, { key: string; entry: TreeEntry }>): void {
  if (node.kind === 'leaf') {
    for (const [id, item] of node.plugins) into.set(id, item);
    return;
  }
  for (const child of node.children.values()) collect(child, into);
}

/** Removes; returns the node now in this place (a branch small enough folds back into a leaf). */
function remove(
  node: TreeNodeState,
  pluginId: string,
  key: string,
): { node: TreeNodeState; removed: boolean } {
  if (node.kind === 'leaf') {
    const removed = node.plugins.delete(pluginId);
    if (removed) node.encoded = undefined;
    return { node, removed };
  }
  const digit = key[node.depth] as string;
  const child = node.children.get(digit);
  if (child === undefined) return { node, removed: false };
  const result = remove(child, pluginId, key);
  if (!result.removed) return { node, removed: false };
  node.encoded = undefined;
  node.count -= 1;
  if (countOf(result.node) === 0) node.children.delete(digit);
  else node.children.set(digit, result.node);
  if (node.count > TREE_BUCKET_SIZE) return { node, removed: true };
  const leaf = createLeaf(node.depth);
  collect(node, leaf.plugins);
  return { node: leaf, removed: true };
}

function encode(node: TreeNodeState, files: MetadataFile[]): MetaReference {
  if (node.encoded !== undefined) return node.encoded;
  let body: unknown;
  if (node.kind === 'leaf') {
    const plugins = Object.create(null) as Record<string, TreeEntry>;
    for (const [id, item] of node.plugins) plugins[id] = item.entry;
    body = { _type: 'agentplug-tree', depth: node.depth, plugins };
  } else {
    const children = Object.create(null) as Record<string, MetaReference>;
    for (const [digit, child] of node.children) children[digit] = encode(child, files);
    body = { _type: 'agentplug-tree', depth: node.depth, children };
  }
  const bytes = Buffer.from(canonicalizeJson(body), 'utf8');
  const reference = { sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.byteLength };
  files.push({ path: formatTreeNodePath(reference.sha256), bytes });
  node.encoded = reference;
  return reference;
}

/**
 * The targets tree a marketplace keeps: every plugin's current targets file (version, sha256,
 * length), placed by the hex digits of the sha256 of its id, leaves of at most
 * {@link TREE_BUCKET_SIZE} plugins. Nodes are named by their hash, so changing one plugin writes
 * one path of nodes (about log16 of the catalog), and a client fetches one path per plugin.
 * @example
 * const tree = new MetadataTree();
 * tree.set('com.example.one', { version: 1, sha256, length });
 * const { reference, files } = tree.commit(); // store files, pin reference in the snapshot
 */
export class MetadataTree {
  private root: TreeNodeState = createLeaf(0);

  /** How many plugins the tree holds. */
  get size(): number {
    return countOf(this.root);
  }

  /** A plugin's entry, or undefined. */
  get(pluginId: string): TreeEntry | undefined {
    const key = hashPluginId(pluginId);
    let node = this.root;
    while (node.kind === 'branch') {
      const child = node.children.get(key[node.depth] as string);
      if (child === undefined) return undefined;
      node = child;
    }
    return node.plugins.get(pluginId)?.entry;
  }

  /** Sets a plugin's entry (its new targets file). */
  set(pluginId: string, entry: TreeEntry): void {
    this.root = insert(this.root, pluginId, { key: hashPluginId(pluginId), entry: { ...entry } }).node;
  }

  /** Every plugin id the tree holds, in tree order. */
  pluginIds(): string[] {
    const all = new Map<string, { key: string; entry: TreeEntry }>();
    collect(this.root, all);
    return [...all.keys()];
  }

  /** Removes a plugin. */
  delete(pluginId: string): void {
    this.root = remove(this.root, pluginId, hashPluginId(pluginId)).node;
  }

  /** The root node's reference, and the node files changed since the last commit (children first). */
  commit(): { reference: MetaReference; files: MetadataFile[] } {
    const files: MetadataFile[] = [];
    const reference = encode(this.root, files);
    return { reference, files };
  }

  /**
   * Reads a committed tree back from its node files, checking each against its reference.
   * @throws PluginError INDEX_INVALID (a node is missing), INTEGRITY_MISMATCH (a node was altered)
   */
  static async load(
    reference: MetaReference,
    read: (path: string) => Promise<Uint8Array | undefined>,
  ): Promise<MetadataTree> {
    const readNode = async (nodeReference: MetaReference, prefix: string): Promise<TreeNodeState> => {
      const bytes = await read(formatTreeNodePath(nodeReference.sha256));
      if (bytes === undefined) {
        throw new PluginError(
          'INDEX_INVALID',
          `the tree node ${nodeReference.sha256} at "${prefix}" is missing`,
        );
      }
      const node = verifyTreeNode(bytes, { reference: nodeReference, prefix });
      if ('plugins' in node) {
        const leaf = createLeaf(node.depth);
        for (const [id, entry] of Object.entries(node.plugins))
          leaf.plugins.set(id, { key: hashPluginId(id), entry });
        leaf.encoded = nodeReference;
        return leaf;
      }
      const branch: Branch = { kind: 'branch', depth: node.depth, children: new Map(), count: 0 };
      const digits = Object.keys(node.children).sort();
      const children = await Promise.all(
        digits.map((digit) => readNode(node.children[digit] as MetaReference, `${prefix}${digit}`)),
      );
      digits.forEach((digit, index) => {
        const child = children[index] as TreeNodeState;
        branch.children.set(digit, child);
        branch.count += countOf(child);
      });
      branch.encoded = nodeReference;
      return branch;
    };
    const tree = new MetadataTree();
    tree.root = await readNode(reference, '');
    return tree;
  }
}
