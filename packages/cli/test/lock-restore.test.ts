import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
} from '@agentplug/marketplace';
import { packPlugin } from '@agentplug/registry-client';
import type { SigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRegistryWorkFile, snapshotFolder } from './folder-snapshot';
import { runAgentplug } from './run-agentplug';
import { writePlugin } from './write-plugin';

// Restoring from the lock file (`agentplug ci`, `agentplug install` with no argument) against the
// reference marketplace server, once its key was changed and once it serves other bytes for a
// locked version: each refused with exit 7, its code, what to do, and the plugin folder unchanged.
// Each marketplace listens on the port the lock file was written against, as a server restarted
// with a new key or a rebuilt store would.

const TIMEOUT_MS = 300_000;
const GREETER = 'com.example.greeter';

let workspace: string;
let port: number;
let originalKeys: SigningKeyPair;
/** The archive the lock file was written for, and another one of the same version. */
let lockedArchive: Buffer;
let otherArchive: Buffer;
/** A plugin folder installed from the original marketplace, its lock file included. */
let lockedFolder: string;

/** A reference marketplace on `port` signing with `keys`, over a store of its own, serving `archive`. */
async function startMarketplace(keys: SigningKeyPair, archive: Buffer): Promise<MarketplaceServer> {
  const server = await createMarketplaceServer({
    storeDirectory: await mkdtemp(join(workspace, 'store-')),
    port,
    signingKey: keys,
    statsResignDelayMs: 0,
    refreshIntervalMs: 0,
  });
  await server.publish(archive);
  return server;
}

/** A host: its plugin folder (a copy of `from`, or holding only `from`'s lock file), cache and settings. */
async function createHost(
  keys: SigningKeyPair,
  from: { folder: string; whole: boolean },
): Promise<{ plugins: string; env: Record<string, string> }> {
  const folder = await mkdtemp(join(workspace, 'host-'));
  const plugins = join(folder, 'plugins');
  if (from.whole) await cp(from.folder, plugins, { recursive: true });
  else {
    await mkdir(plugins);
    await cp(join(from.folder, 'agentplug-lock.json'), join(plugins, 'agentplug-lock.json'));
  }
  return {
    plugins,
    env: {
      AGENTPLUG_MARKETPLACE: `http://127.0.0.1:${port}/`,
      AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
      AGENTPLUG_PLUGINS_DIR: plugins,
      XDG_CACHE_HOME: join(folder, 'cache'),
      XDG_CONFIG_HOME: join(folder, 'config'),
    },
  };
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-lock-restore-'));
  const source = await writePlugin(join(workspace, 'sources'), { pluginId: GREETER, version: '1.0.0' });
  lockedArchive = (await packPlugin(source)).archive;
  // The same id and version with other bytes: what a store rebuilt from other sources would serve.
  await writeFile(join(source, 'README.md'), 'rebuilt\n');
  otherArchive = (await packPlugin(source)).archive;

  originalKeys = generateSigningKeyPair();
  const original = await createMarketplaceServer({
    storeDirectory: join(workspace, 'original-store'),
    port: 0,
    signingKey: originalKeys,
    statsResignDelayMs: 0,
    refreshIntervalMs: 0,
  });
  port = original.port;
  try {
    await original.publish(lockedArchive);
    lockedFolder = join(workspace, 'locked', 'plugins');
    const installed = await runAgentplug(['install', `${GREETER}@1.0.0`, '--yes'], {
      env: {
        AGENTPLUG_MARKETPLACE: original.url,
        AGENTPLUG_TRUSTED_KEYS: originalKeys.publicKey,
        AGENTPLUG_PLUGINS_DIR: lockedFolder,
        XDG_CACHE_HOME: join(workspace, 'locked', 'cache'),
        XDG_CONFIG_HOME: join(workspace, 'locked', 'config'),
      },
    });
    expect(installed.exitCode, installed.stderr).toBe(0);
  } finally {
    await original.close();
  }
  const lock = JSON.parse(await readFile(join(lockedFolder, 'agentplug-lock.json'), 'utf8'));
  expect(lock.plugins[GREETER]).toMatchObject({ version: '1.0.0', key_id: originalKeys.keyId });
}, TIMEOUT_MS);

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('restoring from the lock file refuses what the marketplace no longer vouches for', () => {
  test(
    'a key id other than the locked one: ci and install with no argument exit 7 [SIGNATURE_INVALID], saying how to re-lock, nothing changed',
    async () => {
      const newKeys = generateSigningKeyPair();
      const server = await startMarketplace(newKeys, lockedArchive);
      try {
        // The operator trusts the new key; the lock file still names the old one.
        const empty = await createHost(newKeys, { folder: lockedFolder, whole: false });
        const drifted = await createHost(newKeys, { folder: lockedFolder, whole: true });
        await writeFile(join(drifted.plugins, GREETER, 'main.js'), 'export const edited = true;\n');
        for (const host of [empty, drifted]) {
          const before = await snapshotFolder(host.plugins, isRegistryWorkFile);
          for (const args of [['ci', '--yes'], ['install', '--yes'], ['ci']]) {
            const run = await runAgentplug(args, { env: host.env });
            expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(7);
            const lines = run.stderr.trim().split('\n');
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(
              `error: ${GREETER} 1.0.0 was locked under the marketplace key ${originalKeys.keyId}, but the marketplace now signs its plugins with ${newKeys.keyId}, so nothing was changed [SIGNATURE_INVALID]`,
            );
            expect(lines[0]).toContain(
              `— The marketplace's signing key changed since the lock file was written: confirm the new key id with the marketplace's operator, then run "agentplug install ${GREETER}@1.0.0"`,
            );
            expect(await snapshotFolder(host.plugins, isRegistryWorkFile)).toEqual(before);
          }
        }

        // What the hint says works: the same bytes, vouched for by the new key, are recorded anew;
        // then a restore onto another empty folder succeeds.
        for (const host of [empty, { ...drifted, plugins: lockedFolder }]) {
          const copy = await createHost(newKeys, { folder: host.plugins, whole: true });
          const relocked = await runAgentplug(['install', `${GREETER}@1.0.0`, '--yes'], { env: copy.env });
          expect(relocked.exitCode, relocked.stderr).toBe(0);
          const entry = JSON.parse(await readFile(join(copy.plugins, 'agentplug-lock.json'), 'utf8')).plugins[
            GREETER
          ];
          expect(entry).toMatchObject({ version: '1.0.0', key_id: newKeys.keyId, range: '1.0.0' });
          const restoredHost = await createHost(newKeys, { folder: copy.plugins, whole: false });
          const restored = await runAgentplug(['ci'], { env: restoredHost.env });
          expect(restored.exitCode, restored.stderr).toBe(0);
          // Byte for byte: the lock file it was given and the plugin folder the host has.
          expect(await snapshotFolder(restoredHost.plugins, isRegistryWorkFile)).toEqual(
            await snapshotFolder(copy.plugins, isRegistryWorkFile),
          );
        }
      } finally {
        await server.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    'a sha256 and size other than the locked ones under the same key: exit 7 [INTEGRITY_MISMATCH], nothing changed',
    async () => {
      const server = await startMarketplace(originalKeys, otherArchive);
      try {
        const signed = server.getPlugin(GREETER)?.versions['1.0.0'];
        const locked = JSON.parse(await readFile(join(lockedFolder, 'agentplug-lock.json'), 'utf8')).plugins[
          GREETER
        ];
        expect(signed?.sha256).not.toBe(locked.sha256);
        const empty = await createHost(originalKeys, { folder: lockedFolder, whole: false });
        const drifted = await createHost(originalKeys, { folder: lockedFolder, whole: true });
        await rm(join(drifted.plugins, GREETER, 'main.js'));
        for (const host of [empty, drifted]) {
          const before = await snapshotFolder(host.plugins, isRegistryWorkFile);
          for (const args of [
            ['ci', '--yes'],
            ['install', '--yes'],
          ]) {
            const run = await runAgentplug(args, { env: host.env });
            expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(7);
            const lines = run.stderr.trim().split('\n');
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(
              `error: ${GREETER} 1.0.0: the marketplace now signs sha256 ${signed?.sha256} (${signed?.size} bytes) for this version; the lock file records sha256 ${locked.sha256} and ${locked.size} bytes, so nothing was changed [INTEGRITY_MISMATCH]`,
            );
            expect(lines[0]).toContain(
              `— The marketplace now serves other bytes for ${GREETER} 1.0.0 than the lock file records`,
            );
            expect(await snapshotFolder(host.plugins, isRegistryWorkFile)).toEqual(before);
          }
        }
      } finally {
        await server.close();
      }
    },
    TIMEOUT_MS,
  );
});
