// Three marketplace processes on one PostgreSQL and one shared store folder (the blob folder a
// shared volume would hold), with concurrent publishes, yanks and downloads through all of them.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPlugin } from '@agentplug/registry-client';
import {
  generateSigningKeyPair,
  verifyPinnedRoot,
  verifyTimestamp,
} from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { openPublisherDirectory } from '../src/command/open-operator-directory';
import { type PostgresCluster, startPostgresCluster } from './helpers/postgres-cluster';
import { readOverHttp, readSignedCatalog } from './helpers/verify-signed-catalog';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

interface Instance {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

async function startInstance(args: readonly string[]): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@agentplug/source',
      '--import',
      'tsx',
      cliPath,
      'serve',
      '--port',
      '0',
      '--json',
      '--no-log-requests',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.includes('\n'))
        resolve((JSON.parse(buffered.split('\n')[0] ?? '') as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${errors}`)));
  });
  return { url, child, exited };
}

describe('several marketplace instances on one PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  const instances: Instance[] = [];
  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await cluster?.stop();
  }, 120_000);

  it('sign strictly increasing snapshot versions, never two snapshots with one version, and every acknowledged publish and yank', async () => {
    cluster = await startPostgresCluster();
    const databaseUrl = await cluster.createDatabase();
    const root = await createTemporaryFolder();
    const store = join(root, 'store');
    const keys = generateSigningKeyPair();
    const keyFile = join(root, 'signing-key.json');
    await writeFile(keyFile, JSON.stringify(keys), { mode: 0o600 });
    const operator = await openPublisherDirectory({ storeDirectory: store, databaseUrl });
    const actor = { name: 'operator', address: 'test' };
    await operator.directory.addPublisher('acme', actor);
    await operator.directory.grantNamespace('acme', 'com.acme', actor);
    const { token } = await operator.directory.createToken('acme', { scopes: ['publish', 'yank'] }, actor);

    const args = ['--store', store, '--database-url', databaseUrl, '--key-file', keyFile];
    instances.push(...(await Promise.all([1, 2, 3].map(() => startInstance(args)))));

    // Every snapshot any instance serves while the changes run (verified as a client does), by version.
    const seen = new Map<number, string>();
    const shareVersion: string[] = [];
    const regressions: string[] = [];
    const lastServed = new Map<Instance, number>();
    const observe = async (instance: Instance): Promise<void> => {
      const read = readOverHttp(instance.url);
      const root = verifyPinnedRoot((await read('v2/root/1.json')) as Uint8Array, [keys.publicKey]);
      const timestamp = verifyTimestamp((await read('v2/timestamp.json')) as Uint8Array, {
        root,
        now: new Date(),
      });
      const version = timestamp.body.snapshot.version;
      const earlier = seen.get(version);
      if (earlier !== undefined && earlier !== timestamp.body.snapshot.sha256)
        shareVersion.push(`version ${version}`);
      seen.set(version, timestamp.body.snapshot.sha256);
      // What one instance serves never goes back to an older version.
      if (version < (lastServed.get(instance) ?? 0)) regressions.push(`${instance.url} ${version}`);
      lastServed.set(instance, version);
    };
    let observing = true;
    const observer = (async () => {
      while (observing) {
        await Promise.all(instances.map(observe));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const count = 24;
    const archives = await Promise.all(
      Array.from(
        { length: count },
        async (_, index) =>
          (
            await packPlugin(
              await writePluginFolder(root, { plugin_id: `com.acme.p${index}`, version: '1.0.0' }),
            )
          ).archive,
      ),
    );
    const acknowledged: string[] = [];
    await Promise.all(
      archives.map(async (archive, index) => {
        const target = instances[index % 3] as Instance;
        const response = await fetch(new URL('api/v1/plugins', target.url), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: archive,
        });
        expect(response.status).toBe(201);
        acknowledged.push(((await response.json()) as { plugin_id: string }).plugin_id);
        // A download through another instance, which may not have loaded the new index yet.
        await fetch(
          new URL(`archives/com.acme.p${index}-1.0.0.tgz`, (instances[(index + 1) % 3] as Instance).url),
        );
      }),
    );
    const yanked = ['com.acme.p0', 'com.acme.p7', 'com.acme.p13'];
    await Promise.all(
      yanked.map(async (pluginId, index) => {
        const response = await fetch(
          new URL(`api/v1/plugins/${pluginId}/versions/1.0.0/yank`, (instances[index % 3] as Instance).url),
          { method: 'POST', headers: { authorization: `Bearer ${token}` } },
        );
        expect(response.status).toBe(200);
      }),
    );
    // Each instance picks up what the others signed (refresh every 2 s).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    observing = false;
    await observer;
    const finals = await Promise.all(
      instances.map((instance) => readSignedCatalog(readOverHttp(instance.url), keys.publicKey)),
    );
    const newest = Math.max(...finals.map((catalog) => catalog.snapshotVersion));
    const final = finals.find((catalog) => catalog.snapshotVersion === newest);
    expect(acknowledged).toHaveLength(count);
    for (const pluginId of acknowledged)
      expect(final?.plugins.get(pluginId)?.versions['1.0.0'], pluginId).toBeDefined();
    for (const pluginId of yanked)
      expect(final?.plugins.get(pluginId)?.versions['1.0.0']?.yanked, pluginId).toBe(true);
    // Every instance has caught up with the newest snapshot.
    expect(finals.map((catalog) => catalog.snapshotVersion)).toEqual([newest, newest, newest]);
    expect(shareVersion).toEqual([]);
    expect(regressions).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
    // The first start signs the empty catalog, then at least one publish round (publishes meeting in
    // a round share its version), and each yank its own version.
    expect(newest).toBeGreaterThanOrEqual(1 + 1 + yanked.length);
    // Every instance serves every acknowledged publish from its in-memory catalog too (entries and
    // search), whichever instance took it.
    for (const instance of instances) {
      for (const pluginId of acknowledged) {
        const entry = await fetch(new URL(`api/v1/plugins/${pluginId}`, instance.url));
        expect(entry.status, `${pluginId} on ${instance.url}`).toBe(200);
        expect(
          ((await entry.json()) as { versions: Record<string, { yanked: boolean }> }).versions['1.0.0']
            ?.yanked,
        ).toBe(yanked.includes(pluginId));
      }
      const search = (await (
        await fetch(new URL(`api/v1/search?q=com.acme&limit=500`, instance.url))
      ).json()) as {
        index_version: number;
        results: { plugin_id: string }[];
      };
      expect(search.index_version).toBe(newest);
      expect(search.results.map((result) => result.plugin_id)).toEqual(
        expect.arrayContaining(acknowledged.filter((pluginId) => !yanked.includes(pluginId))),
      );
    }
    // Every archive is there through every instance (one blob folder, one database).
    for (const instance of instances) {
      const response = await fetch(new URL('archives/com.acme.p5-1.0.0.tgz', instance.url));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    await operator.close();
    for (const instance of instances) instance.child.kill('SIGTERM');
    expect(await Promise.all(instances.map((instance) => instance.exited))).toEqual([0, 0, 0]);
    instances.length = 0;
  }, 300_000);
});
