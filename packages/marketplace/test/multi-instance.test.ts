// Three marketplace processes on one PostgreSQL and one shared store folder (the blob folder a
// shared volume would hold), with concurrent publishes, yanks and downloads through all of them.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair, verifyIndex } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { openPublisherDirectory } from '../src/command/open-operator-directory';
import { type PostgresCluster, startPostgresCluster } from './helpers/postgres-cluster';

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

  it('sign strictly increasing versions, never two indexes with one version, and every acknowledged publish and yank', async () => {
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

    // Every index document any instance serves while the changes run, by version.
    const seen = new Map<number, string>();
    const shareVersion: string[] = [];
    const regressions: string[] = [];
    const lastServed = new Map<Instance, number>();
    const observe = async (instance: Instance): Promise<void> => {
      const document = await (await fetch(new URL('index.json', instance.url))).text();
      const body = verifyIndex(JSON.parse(document), { trustedKeys: [keys.publicKey] });
      const signed = JSON.stringify(body.plugins);
      const earlier = seen.get(body.version);
      if (earlier !== undefined && earlier !== signed) shareVersion.push(`version ${body.version}`);
      seen.set(body.version, signed);
      // What one instance serves never goes back to an older version.
      if (body.version < (lastServed.get(instance) ?? 0)) regressions.push(`${instance.url} ${body.version}`);
      lastServed.set(instance, body.version);
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
      instances.map(async (instance) => {
        const body = verifyIndex(await (await fetch(new URL('index.json', instance.url))).json(), {
          trustedKeys: [keys.publicKey],
        });
        return body;
      }),
    );
    const newest = Math.max(...finals.map((body) => body.version));
    const final = finals.find((body) => body.version === newest);
    expect(acknowledged).toHaveLength(count);
    for (const pluginId of acknowledged)
      expect(final?.plugins[pluginId]?.versions['1.0.0'], pluginId).toBeDefined();
    for (const pluginId of yanked)
      expect(final?.plugins[pluginId]?.versions['1.0.0']?.yanked, pluginId).toBe(true);
    expect(shareVersion).toEqual([]);
    expect(regressions).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
    // 1 start each, at least one publish round (publishes meeting in a round share its version), and
    // each yank its own version.
    expect(newest).toBeGreaterThanOrEqual(3 + 1 + yanked.length);
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
