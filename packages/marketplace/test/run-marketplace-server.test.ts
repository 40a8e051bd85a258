import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { PluginRegistry } from '@agentplug/registry-client';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import {
  buildStaticMarketplace,
  defaultKeyFileFor,
  generateSigningKeyPair,
  runMarketplaceServer,
} from '../src/index';

describe('runMarketplaceServer', () => {
  it('creates a key file on first start, prints the URL and public key, and reuses the key on the next start', async () => {
    const root = await createTemporaryFolder();
    const store = join(root, 'store');
    const lines: string[] = [];
    const first = await runMarketplaceServer({
      storeDirectory: store,
      port: 0,
      handleSignals: false,
      log: (line) => lines.push(line),
    });
    // Beside the store, never in it: a store folder can be served as it is by a static host.
    expect(defaultKeyFileFor(store)).toBe(join(root, 'store.signing-key.json'));
    const keyFile = JSON.parse(await readFile(defaultKeyFileFor(store), 'utf8'));
    expect(keyFile.publicKey).toBe(first.publicKey);
    expect((await stat(defaultKeyFileFor(store))).mode & 0o777).toBe(0o600);
    expect((await readdir(store, { recursive: true })).filter((name) => name.includes('key'))).toEqual([]);
    expect(lines[0]).toBe(`agentplug marketplace listening on ${first.server.url}`);
    expect(lines.join('\n')).toContain(first.publicKey);
    const registry = new PluginRegistry({
      pluginDirectory: join(root, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: first.server.url,
      trustedKeys: [first.publicKey],
    });
    expect(await registry.searchMarketplace({})).toEqual([]);
    await first.server.close();
    const second = await runMarketplaceServer({
      storeDirectory: store,
      port: 0,
      handleSignals: false,
      log: () => {},
    });
    expect(second.publicKey).toBe(first.publicKey);
    await second.server.close();
  });

  it('refuses a key file inside the store, and a store still holding the key where older versions kept it', async () => {
    const root = await createTemporaryFolder();
    const store = join(root, 'store');
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'started',
        (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
      );
    const options = { storeDirectory: store, port: 0, handleSignals: false, log: () => {} };
    expect(await codeOf(runMarketplaceServer({ ...options, keyFile: join(store, 'keys', 'key.json') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await readdir(root)).toEqual([]);
    await mkdir(store, { recursive: true });
    await writeFile(join(store, 'signing-key.json'), `${JSON.stringify(generateSigningKeyPair())}\n`);
    const refused = await runMarketplaceServer(options).catch((error: unknown) => error);
    expect(PluginError.is(refused, 'INVALID_ARGUMENT')).toBe(true);
    expect((refused as Error).message).toContain(
      `mv ${join(store, 'signing-key.json')} ${defaultKeyFileFor(store)}`,
    );
    expect(await readdir(root)).toEqual(['store']);
  });

  it('refuses a static build whose output already holds key material, writing nothing', async () => {
    const root = await createTemporaryFolder();
    const archives = join(root, 'archives');
    await mkdir(archives);
    const signingKey = generateSigningKeyPair();
    const cases: Array<[string, string]> = [
      ['signing-key.json', JSON.stringify(signingKey)],
      ['notes/backup.txt', `the key: ${signingKey.privateKey}`],
      ['keys/other.json', JSON.stringify({ keyId: 'x', privateKey: 'AAAA' })],
      ['id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'],
    ];
    for (const [name, content] of cases) {
      const output = join(root, `site-${cases.findIndex(([other]) => other === name)}`);
      await mkdir(join(output, name, '..'), { recursive: true });
      await writeFile(join(output, name), content);
      const refused = await buildStaticMarketplace({
        archivesDirectory: archives,
        outputDirectory: output,
        signingKey,
        validator: false,
      }).catch((error: unknown) => error);
      expect(PluginError.is(refused, 'SECRET_DETECTED'), name).toBe(true);
      expect((refused as Error).message).toContain(join(name));
      expect(await readdir(output, { recursive: true })).not.toContain('index.json');
    }
  });
});
