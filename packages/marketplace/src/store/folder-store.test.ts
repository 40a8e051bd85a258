import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { createFolderStore } from './folder-store';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function openStore() {
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-folder-store-'));
  folders.push(folder);
  return { folder, store: await createFolderStore(folder) };
}

describe('the folder store keeps protocol v2 metadata', () => {
  it('writes metadata files under their paths and reads them back', async () => {
    const { store } = await openStore();
    const node = `v2/tree/${'a'.repeat(64)}.json`;
    await store.writeMetadata([
      { path: node, bytes: Buffer.from('{"node":1}') },
      { path: 'v2/targets/com.example.one/3.json', bytes: Buffer.from('{"targets":3}') },
      { path: 'v2/timestamp.json', bytes: Buffer.from('{"timestamp":1}') },
    ]);
    expect(Buffer.from((await store.readMetadata(node)) ?? []).toString()).toBe('{"node":1}');
    expect(Buffer.from((await store.readMetadata('v2/timestamp.json')) ?? []).toString()).toBe(
      '{"timestamp":1}',
    );
    expect(await store.readMetadata('v2/snapshot/1.json')).toBeUndefined();
  });

  it('refuses a path outside the metadata layout before writing any file of the batch', async () => {
    const { folder, store } = await openStore();
    for (const path of [
      'v2/../index.json',
      '../escape.json',
      'v2/tree/x.json',
      'v2/targets/__proto__/1.json',
    ]) {
      const error = await store
        .writeMetadata([
          { path: 'v2/snapshot/1.json', bytes: Buffer.from('{}') },
          { path, bytes: Buffer.from('{}') },
        ])
        .catch((caught: unknown) => caught);
      expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(await store.readMetadata(path)).toBeUndefined();
    }
    expect(await readdir(folder)).toEqual(['archives']);
  });
});
