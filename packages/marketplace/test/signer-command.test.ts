import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, pathExists } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { defaultKeyFileFor, runMarketplaceServer } from '../src/index';
import { createMarketplaceService, type MarketplaceService } from '../src/service/marketplace-service';
import { createCommandSigner } from '../src/signing/command-signer';
import { pgliteEngine } from './helpers/store-engines';
import { readOverHttp, readSignedCatalog } from './helpers/verify-signed-catalog';

const SCRIPT = join(import.meta.dirname, '__fixtures__', 'sign-stdin.mjs');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

async function archiveOf(pluginId: string): Promise<Buffer> {
  const root = await createTemporaryFolder();
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version: '1.0.0' }))).archive;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The marketplace key lives in a file only the signer command reads (here in a temporary folder; in a
// deployment, on another machine or in an HSM): the service never holds it.
async function signerSetup(): Promise<{
  command: string;
  publicKey: string;
  setMode(mode: 'sign' | 'fail' | 'hang' | 'lie'): Promise<void>;
  pidFile: string;
}> {
  const root = await createTemporaryFolder();
  const keys = generateSigningKeyPair();
  const keyFile = join(root, 'index-key.json');
  const modeFile = join(root, 'mode');
  const pidFile = join(root, 'pid');
  await writeFile(keyFile, JSON.stringify(keys), { mode: 0o600 });
  await writeFile(modeFile, 'sign');
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  return {
    command: [process.execPath, SCRIPT, keyFile, modeFile, pidFile].map(quote).join(' '),
    publicKey: keys.publicKey,
    setMode: (mode) => writeFile(modeFile, mode),
    pidFile,
  };
}

describe('a signer command holding the marketplace key elsewhere', { timeout: 180_000 }, () => {
  const engine = pgliteEngine();
  const services: MarketplaceService[] = [];
  afterAll(async () => {
    for (const service of services.splice(0)) await service.close();
    await engine.release();
  }, 60_000);

  it('signs bytes that verify with its public key, and refuses an empty command or a key that is not ed25519', async () => {
    const signer = await signerSetup();
    const command = createCommandSigner({ command: signer.command, publicKey: signer.publicKey });
    const bytes = Buffer.from('{"hello":"world"}');
    const signature = await command.sign(bytes);
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(() => createCommandSigner({ command: '  ', publicKey: signer.publicKey })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => createCommandSigner({ command: 'true', publicKey: 'bm90IGEga2V5' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('signs every online role of every publish; a failing, hanging or lying command publishes nothing and the next publish goes through', async () => {
    const signer = await signerSetup();
    const { store } = await engine.open();
    const service = await createMarketplaceService({
      store,
      signingKey: createCommandSigner({
        command: signer.command,
        publicKey: signer.publicKey,
        timeoutMs: 2000,
      }),
      validator: undefined,
      statsResignDelayMs: 60_000,
      refreshIntervalMs: 0,
    });
    services.push(service);
    // Root 1, the timestamp, the snapshot and every targets file verify with the command's key alone.
    const verified = () => readSignedCatalog((path) => service.readMetadata(path), signer.publicKey);
    expect((await verified()).snapshotVersion).toBe(service.getCatalog().version);

    await service.publish(await archiveOf('com.acme.first'));
    expect([...(await verified()).plugins.keys()]).toEqual(['com.acme.first']);

    const unchanged = async (): Promise<void> => {
      expect(service.getCatalog()).toBe(before);
      expect((await store.listArchives()).map((archive) => archive.fileName)).toEqual([
        'com.acme.first-1.0.0.tgz',
      ]);
      expect(await store.readMetadata('v2/timestamp.json')).toEqual(timestamp);
      expect(await store.readMetadata('v2/targets/com.acme.second/1.json')).toBeUndefined();
      expect(await store.readVersionDocument('com.acme.second', '1.0.0')).toBeUndefined();
    };
    const before = service.getCatalog();
    const timestamp = await store.readMetadata('v2/timestamp.json');
    const second = await archiveOf('com.acme.second');

    await signer.setMode('fail');
    const failed = service.publish(second);
    await expect(failed).rejects.toThrowError(/exited with code 3: the signing host refused/);
    expect(await codeOf(failed)).toBe('UNAVAILABLE');
    await unchanged();

    await signer.setMode('hang');
    const started = performance.now();
    expect(await codeOf(service.publish(second))).toBe('UNAVAILABLE');
    // Bounded: the timeout, not the command, decides how long a publish waits.
    expect(performance.now() - started).toBeLessThan(15_000);
    const pid = Number(await readFile(signer.pidFile, 'utf8'));
    for (let wait = 0; wait < 50 && isRunning(pid); wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isRunning(pid)).toBe(false);
    await unchanged();

    await signer.setMode('lie');
    expect(await codeOf(service.publish(second))).toBe('SIGNATURE_INVALID');
    await unchanged();

    await signer.setMode('sign');
    expect(await service.publish(second)).toMatchObject({ plugin_id: 'com.acme.second', version: '1.0.0' });
    const after = await verified();
    expect([...after.plugins.keys()].sort()).toEqual(['com.acme.first', 'com.acme.second']);
    expect(after.snapshotVersion).toBe(before.version + 1);
  });

  it('refuses a signer whose key the stored root does not list for its role, with INVALID_ARGUMENT and nothing signed', async () => {
    const signer = await signerSetup();
    const { store, openSibling } = await engine.open();
    const first = await createMarketplaceService({
      store,
      signingKey: generateSigningKeyPair(),
      validator: undefined,
      statsResignDelayMs: 60_000,
      refreshIntervalMs: 0,
    });
    await first.close();
    const timestamp = await store.readMetadata('v2/timestamp.json');
    const opening = createMarketplaceService({
      store: await (openSibling as NonNullable<typeof openSibling>)(),
      signingKey: createCommandSigner({ command: signer.command, publicKey: signer.publicKey }),
      validator: undefined,
      statsResignDelayMs: 60_000,
      refreshIntervalMs: 0,
    });
    expect(await codeOf(opening)).toBe('INVALID_ARGUMENT');
    expect(await store.readMetadata('v2/timestamp.json')).toEqual(timestamp);
  });

  it('serves with --signer-command: no key file is read or made, every role verifies with the command key, and a failing command answers 503 with nothing published', async () => {
    const signer = await signerSetup();
    const root = await createTemporaryFolder();
    const withoutKey = runMarketplaceServer({
      storeDirectory: join(root, 'store'),
      port: 0,
      handleSignals: false,
      log: () => {},
      signerCommand: signer.command,
    });
    expect(await codeOf(withoutKey)).toBe('INVALID_ARGUMENT');
    const running = await runMarketplaceServer({
      storeDirectory: join(root, 'store'),
      port: 0,
      handleSignals: false,
      log: () => {},
      validator: false,
      publishToken: 'operator-secret',
      signerCommand: signer.command,
      signerPublicKey: signer.publicKey,
      signerTimeoutMs: 2000,
    });
    try {
      expect(running.publicKey).toBe(signer.publicKey);
      expect(await pathExists(defaultKeyFileFor(join(root, 'store')))).toBe(false);
      const rootDocument = (await (await fetch(new URL('v2/root/1.json', running.server.url))).json()) as {
        signed: { roles: Record<string, { keyids: string[] }> };
      };
      for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
        expect(rootDocument.signed.roles[role]?.keyids).toEqual([running.keyId]);
      }
      const publish = async (pluginId: string) =>
        fetch(new URL('api/v1/plugins', running.server.url), {
          method: 'POST',
          headers: { authorization: 'Bearer operator-secret' },
          body: await archiveOf(pluginId),
        });
      expect((await publish('com.acme.served')).status).toBe(201);
      const signed = () => readSignedCatalog(readOverHttp(running.server.url), signer.publicKey);
      const before = await signed();
      expect([...before.plugins.keys()]).toEqual(['com.acme.served']);
      await signer.setMode('fail');
      const refused = await publish('com.acme.refused');
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
      expect((await signed()).snapshotVersion).toBe(before.snapshotVersion);
      expect((await fetch(new URL('archives/com.acme.refused-1.0.0.tgz', running.server.url))).status).toBe(
        404,
      );
    } finally {
      await running.server.close();
    }
  });
});
