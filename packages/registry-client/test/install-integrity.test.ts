import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallPlan } from '../src/index';
import { type IndexPluginEntry, TIMESTAMP_PATH } from '../src/protocol/index';
import { startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder } from './helpers/plugin-fixtures';
import {
  catalogOf,
  createSignedMarketplace,
  openRegistry,
  type PublishedPlugin,
  publishPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

const APP = 'com.example.app';
const LIBRARY = 'com.example.library';

let server: TestServer;
let marketplace: SignedMarketplace;
let root: string;
let library: PublishedPlugin;
let app: PublishedPlugin;

beforeAll(async () => {
  server = await startTestServer(() => false);
  marketplace = createSignedMarketplace(server);
  root = await createTemporaryFolder();
  library = await publishPlugin(root, {
    plugin_id: LIBRARY,
    version: '1.2.0',
    permissions: { environment_variables: ['LIBRARY_TOKEN'] },
  });
  app = await publishPlugin(root, {
    plugin_id: APP,
    version: '2.0.0',
    permissions: { network_hosts: ['api.example.com'] },
    dependencies: [{ plugin_id: LIBRARY, version_constraint: '^1.0.0' }],
  });
});

afterAll(() => server.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

/** A case folder holding only `plugins` (with an empty lock file) and `cache`. */
async function createCase(): Promise<string> {
  const folder = await createTemporaryFolder();
  await mkdir(join(folder, 'plugins'));
  await writeFile(join(folder, 'plugins', 'agentplug-lock.json'), '{"lockfile_version":1,"plugins":{}}\n');
  return folder;
}

describe('what installs is what was signed and shown', () => {
  it('refuses an archive whose plugin.json asks other permissions, dependencies or runtime bounds than its signed entry', async () => {
    const tampered: [string, Partial<PublishedPlugin['entry']>][] = [
      ['permissions', { permissions: { ...library.entry.permissions, environment_variables: [] } }],
      [
        'permissions',
        { permissions: { ...library.entry.permissions, network_hosts: ['elsewhere.example'] } },
      ],
      [
        'dependencies',
        { dependencies: [{ plugin_id: 'com.example.other', version_constraint: '*', optional: true }] },
      ],
      ['min_runtime_version', { min_runtime_version: '0.1.0' }],
    ];
    for (const [field, change] of tampered) {
      const folder = await createCase();
      const before = await snapshotFolder(join(folder, 'plugins'));
      // The key holder signed an entry that understates what the archive declares.
      marketplace.serve(catalogOf([{ ...library, entry: { ...library.entry, ...change } }]), [library]);
      const registry = openRegistry(folder, server, marketplace);
      const error = await registry.install(LIBRARY, { validate: false }).catch((caught: unknown) => caught);
      expect(PluginError.is(error, 'INTEGRITY_MISMATCH') && error.details.mismatches).toEqual([field]);
      expect(await snapshotFolder(join(folder, 'plugins'))).toEqual(before);
      expect(
        (await readdir(join(folder, 'cache', 'downloads'))).filter((name) => name.startsWith('.tmp-')),
      ).toEqual([]);
      await registry.close();
    }
  });

  it('asks once for the whole plan, dependencies included, and records exactly the permissions shown', async () => {
    marketplace.serve(catalogOf([library, app]), [library, app]);
    const folder = await createCase();
    const before = await snapshotFolder(join(folder, 'plugins'));
    const registry = openRegistry(folder, server, marketplace);
    const plans: InstallPlan[] = [];
    expect(
      await codeOf(
        registry.install(APP, {
          validate: false,
          confirm: (plan) => {
            plans.push(plan);
            return false;
          },
        }),
      ),
    ).toBe('DECLINED');
    expect(await snapshotFolder(join(folder, 'plugins'))).toEqual(before);
    expect(await readdir(join(folder, 'cache'))).not.toContain('downloads');
    expect(plans).toHaveLength(1);
    expect(plans[0]?.steps.map((step) => [step.pluginId, step.version, step.action, step.requested])).toEqual(
      [
        [LIBRARY, '1.2.0', 'install', false],
        [APP, '2.0.0', 'install', true],
      ],
    );
    expect(plans[0]?.steps.map((step) => step.newPermissions)).toEqual([
      { environment_variables: ['LIBRARY_TOKEN'] },
      { network_hosts: ['api.example.com'] },
    ]);
    const result = await registry.install(APP, { validate: false, confirm: () => true });
    expect(result.installed.map((step) => step.pluginId)).toEqual([LIBRARY, APP]);
    const lock = JSON.parse(await readFile(join(folder, 'plugins', 'agentplug-lock.json'), 'utf8'));
    expect(lock.plugins[LIBRARY].permissions.environment_variables).toEqual(['LIBRARY_TOKEN']);
    expect(lock.plugins[APP].permissions.network_hosts).toEqual(['api.example.com']);
    const again = await registry.install(APP, {
      validate: false,
      confirm: () => Promise.reject(new Error('not asked')),
    });
    expect(again.unchanged.map((step) => step.pluginId)).toEqual([LIBRARY, APP]);
    await registry.close();
  });

  it('verifies every archive before the first swap: a bad root archive leaves its dependency uninstalled too', async () => {
    const tampered = Buffer.from(app.archive);
    tampered[tampered.length - 9] = (tampered[tampered.length - 9] ?? 0) ^ 0xff;
    marketplace.serve(catalogOf([library, app]), [library, { ...app, archive: tampered }]);
    const folder = await createCase();
    const before = await snapshotFolder(join(folder, 'plugins'));
    const registry = openRegistry(folder, server, marketplace);
    expect(await codeOf(registry.install(APP, { validate: false, confirm: () => true }))).toBe(
      'INTEGRITY_MISMATCH',
    );
    expect(await snapshotFolder(join(folder, 'plugins'))).toEqual(before);
    await registry.close();
  });

  it('refuses a signed dependency id that walks out of the cache before any request or write', async () => {
    const folder = await createCase();
    const nested = join(folder, 'a', 'b');
    await mkdir(nested, { recursive: true });
    const entry = catalogOf([app])[APP] as IndexPluginEntry;
    for (const hostile of [
      '../../../../outside/X',
      '..',
      'com.example.lib/../../x',
      'com.example.lib%2f..',
    ]) {
      const versions = {
        '2.0.0': {
          ...app.entry,
          dependencies: [{ plugin_id: hostile, version_constraint: '*', optional: false }],
        },
      };
      marketplace.serve({ [APP]: { ...entry, versions } }, [app]);
      const seen = server.requests.length;
      const registry = openRegistry(nested, server, marketplace);
      expect(await codeOf(registry.install(APP, { validate: false }))).toBe('INDEX_INVALID');
      // Only metadata was read: nothing named after the hostile id, no archive.
      const requested = server.requests.slice(seen);
      expect(requested.every((path) => path.startsWith('/v2/'))).toBe(true);
      expect(requested).toContain(`/v2/targets/${APP}/${marketplace.repository.targetsVersion(APP)}.json`);
      await registry.close();
    }
    expect((await readdir(folder)).sort()).toEqual(['a', 'plugins']);
    expect(await readdir(join(folder, 'a'))).toEqual(['b']);
    // What was written stayed in the registry's own cache: verified metadata, no download.
    expect(await readdir(nested)).toEqual(['cache']);
    expect((await readdir(join(nested, 'cache'))).sort()).toEqual(['locks', 'metadata-v2']);
    expect(await readdir(dirname(folder))).not.toContain('outside');
  });

  it('refuses a verified download changed on disk before its install, leaving the plugin directory as it was', async () => {
    marketplace.serve(catalogOf([library]), [library]);
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    const path = await registry.downloadPlugin(LIBRARY, { validate: false });
    await writeFile(join(path, 'main.js'), 'export class Plugin { describe() { return "swapped"; } }\n');
    const before = await snapshotFolder(join(folder, 'plugins'));
    expect(await codeOf(registry.installPlugin(LIBRARY, path, { validate: false }))).toBe(
      'INTEGRITY_MISMATCH',
    );
    const after = await snapshotFolder(join(folder, 'plugins'));
    expect(Object.keys(after).filter((path) => !path.startsWith('.agentplug/'))).toEqual(
      Object.keys(before).filter((path) => !path.startsWith('.agentplug/')),
    );
    expect(after['agentplug-lock.json']).toBe(before['agentplug-lock.json']);
    await registry.close();
  });
});

describe('the download cache', () => {
  it('removes .tmp-* folders of processes that are gone, and keeps those of live ones', async () => {
    marketplace.serve(catalogOf([library]), [library]);
    const folder = await createCase();
    const downloads = join(folder, 'cache', 'downloads');
    const dead = `.tmp-${LIBRARY}-999999999-abcdef012345`;
    const live = `.tmp-${LIBRARY}-${process.ppid}-abcdef012345`;
    for (const name of [dead, live]) await mkdir(join(downloads, name, 'half'), { recursive: true });
    const registry = openRegistry(folder, server, marketplace);
    const path = await registry.downloadPlugin(LIBRARY, { validate: false });
    const names = await readdir(downloads);
    expect(names).toContain(live);
    expect(names).not.toContain(dead);
    expect(names).toContain(path.slice(downloads.length + 1));
    expect(names.filter((name) => name.startsWith('.tmp-'))).toEqual([live]);
    await registry.close();
  });
});

describe('a total deadline per request', () => {
  /** Sends one byte of `body` every `intervalMs`, never stalling long enough for the stall timer. */
  function trickle(body: Buffer, intervalMs: number) {
    return (response: import('node:http').ServerResponse): true => {
      response.writeHead(200, { 'content-length': body.length });
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed || sent >= body.length) {
          clearInterval(timer);
          return;
        }
        response.write(body.subarray(sent, sent + 1));
        sent += 1;
      }, intervalMs);
      response.on('close', () => clearInterval(timer));
      return true;
    };
  }

  it('ends metadata and an archive that trickle one byte at a time with TIMEOUT, though no gap trips the stall timer', async () => {
    marketplace.serve(catalogOf([library]), [library]);
    const timestamp = Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array);
    const options = { stallTimeoutMs: 1_000, totalTimeoutMs: 1_500, retries: 1, retryDelayMs: 10 };
    const folder = await createCase();
    const before = await snapshotFolder(join(folder, 'plugins'));
    marketplace.serveSigned([library], {
      extra: (request, response) =>
        request.url === `/${TIMESTAMP_PATH}` ? trickle(timestamp, 100)(response) : false,
    });
    let registry = openRegistry(folder, server, marketplace, options);
    let started = Date.now();
    const metadataError = await registry.searchMarketplace({}).catch((error: unknown) => error);
    expect(PluginError.is(metadataError, 'TIMEOUT') && metadataError.details.timeoutMs).toBe(1_500);
    expect(Date.now() - started).toBeLessThan(6_000);
    marketplace.serveSigned([], {
      extra: (request, response) =>
        request.url?.startsWith('/archives/') === true ? trickle(library.archive, 100)(response) : false,
    });
    registry = openRegistry(folder, server, marketplace, options);
    started = Date.now();
    expect(await codeOf(registry.install(LIBRARY, { validate: false }))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(await snapshotFolder(join(folder, 'plugins'))).toEqual(before);
    await registry.close();
  });
});
