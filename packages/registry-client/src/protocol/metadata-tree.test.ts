import { createHash } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { MetadataTree, TREE_BUCKET_SIZE } from './metadata-tree';
import { formatTreeNodePath, type TreeEntry } from './metadata-types';

function entry(seed: string, version = 1): TreeEntry {
  return { version, sha256: createHash('sha256').update(seed).digest('hex'), length: 100 + version };
}

function ids(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `com.example.plugin${index}`);
}

describe('MetadataTree', () => {
  it('has one shape per content: the insertion order and removed plugins leave no trace in the root hash', () => {
    const forward = new MetadataTree();
    for (const id of ids(500)) forward.set(id, entry(id));
    const backward = new MetadataTree();
    for (const id of [...ids(700)].reverse()) backward.set(id, entry(id));
    for (const id of ids(700).slice(500)) backward.delete(id);
    expect(backward.size).toBe(500);
    expect(backward.commit().reference).toEqual(forward.commit().reference);
    for (const id of ids(500)) expect(forward.get(id)).toEqual(entry(id));
    expect(forward.get('com.example.absent')).toBeUndefined();
  });

  it('rewrites one path of nodes when one plugin changes, and nothing when nothing did', () => {
    const tree = new MetadataTree();
    for (const id of ids(5000)) tree.set(id, entry(id));
    const first = tree.commit();
    expect(first.files.length).toBeGreaterThan(5000 / TREE_BUCKET_SIZE);
    expect(tree.commit().files).toEqual([]);
    tree.set('com.example.plugin42', entry('changed', 2));
    const second = tree.commit();
    expect(second.files.length).toBeGreaterThan(1);
    expect(second.files.length).toBeLessThanOrEqual(4);
    expect(second.reference.sha256).not.toBe(first.reference.sha256);
  });

  it('reads a committed tree back, and refuses a missing or altered node', async () => {
    const tree = new MetadataTree();
    for (const id of ids(300)) tree.set(id, entry(id));
    const committed = tree.commit();
    const { reference } = committed;
    const files = new Map(committed.files.map((file) => [file.path, file.bytes]));
    const loaded = await MetadataTree.load(reference, async (path) => files.get(path));
    expect(loaded.size).toBe(300);
    expect(loaded.get('com.example.plugin7')).toEqual(entry('com.example.plugin7'));
    loaded.set('com.example.plugin7', entry('x', 2));
    tree.set('com.example.plugin7', entry('x', 2));
    expect(loaded.commit().reference).toEqual(tree.commit().reference);

    const rootPath = formatTreeNodePath(reference.sha256);
    const original = files.get(rootPath) as Uint8Array;
    files.set(rootPath, Buffer.from(Buffer.from(original).toString().replace('"depth":0', '"depth":1')));
    const altered = await MetadataTree.load(reference, async (path) => files.get(path)).catch(
      (error: unknown) => error,
    );
    expect(PluginError.is(altered, 'INTEGRITY_MISMATCH')).toBe(true);
    files.delete(rootPath);
    const missing = await MetadataTree.load(reference, async (path) => files.get(path)).catch(
      (error: unknown) => error,
    );
    expect(PluginError.is(missing, 'INDEX_INVALID')).toBe(true);
  });
});
