import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginErrorCode, readManifest } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry, packPlugin } from '../src/index';
import {
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  type SignedIndexBody,
  signIndex,
} from '../src/protocol/index';
import {
  sendBytes,
  sendEndlessBody,
  startTestServer,
  type TestRoute,
  type TestServer,
} from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder, writePluginFolder } from './helpers/plugin-fixtures';
import { buildRawTgz } from './helpers/raw-tar';

const TARGET = 'com.example.target';
const keys = generateSigningKeyPair();
const strangerKeys = generateSigningKeyPair();

interface Published {
  archive: Buffer;
  sha256: string;
  size: number;
}

let fixtures: Record<string, Published>;
let server: TestServer;

function versionEntry(version: string, published: Published) {
  return {
    version,
    dependencies: [],
    min_runtime_version: '*',
    max_runtime_version: '*',
    permissions: {
      filesystem_read: [],
      filesystem_write: [],
      network_hosts: [],
      external_apis: [],
      environment_variables: [],
    },
    security_score: 100,
    risk_level: 'low' as const,
    sha256: published.sha256,
    size: published.size,
    published_at: '2026-01-01T00:00:00.000Z',
    yanked: false,
  };
}

function pluginEntry(pluginId: string, versions: Record<string, Published>): IndexPluginEntry {
  return {
    plugin_id: pluginId,
    name: pluginId,
    description: 'test',
    plugin_type: 'tool',
    tags: [],
    author: 'tests',
    downloads: 0,
    rating: 0,
    rating_count: 0,
    versions: Object.fromEntries(
      Object.entries(versions).map(([version, published]) => [version, versionEntry(version, published)]),
    ),
  };
}

function indexBody(version: number, second: Published, options: { expires?: string } = {}): SignedIndexBody {
  return {
    _type: 'agentplug-index',
    protocol_version: 1,
    version,
    expires: options.expires ?? new Date(Date.now() + 3_600_000).toISOString(),
    signed_at: new Date().toISOString(),
    plugins: {
      [TARGET]: pluginEntry(TARGET, { '1.0.0': fixtures.v1!, '2.0.0': second }),
      'com.example.other': pluginEntry('com.example.other', { '1.0.0': fixtures.other! }),
    },
  };
}

/** A marketplace serving `index` and, for each archive name, the given bytes (or a custom handler). */
function marketplace(index: unknown, archives: Record<string, Buffer | TestRoute>): TestRoute {
  return (request, response) => {
    const path = request.url ?? '';
    if (path === '/index.json') return sendBytes(response, JSON.stringify(index), 'application/json');
    const name = path.replace('/archives/', '');
    const archive = archives[name];
    if (archive === undefined) return false;
    return Buffer.isBuffer(archive) ? sendBytes(response, archive) : archive(request, response);
  };
}

function published(archive: Buffer): Published {
  return { archive, sha256: createHash('sha256').update(archive).digest('hex'), size: archive.length };
}

const v2Name = formatArchiveName(TARGET, '2.0.0');
const v1Name = formatArchiveName(TARGET, '1.0.0');

function goodArchives(): Record<string, Buffer> {
  return { [v1Name]: fixtures.v1!.archive, [v2Name]: fixtures.v2!.archive };
}

/** A plugin directory with target 1.0.0 installed from the honest server (index version 5). */
async function installVersionOne(): Promise<{ registry: PluginRegistry; pluginDirectory: string }> {
  const root = await createTemporaryFolder();
  const pluginDirectory = join(root, 'plugins');
  const registry = new PluginRegistry({
    pluginDirectory,
    cacheDirectory: join(root, 'cache'),
    marketplaceUrl: server.url,
    trustedKeys: [keys.publicKey],
    // This file proves the v1 index's protections (v2's are in metadata-v2.test.ts).
    protocol: 1,
    indexMaxAgeMs: 0,
    retries: 1,
    retryDelayMs: 5,
    requestTimeoutMs: 400,
    stallTimeoutMs: 250,
  });
  server.setRoute(marketplace(signIndex(indexBody(5, fixtures.v2!), keys), goodArchives()));
  await registry.installPlugin(
    TARGET,
    await registry.downloadPlugin(TARGET, { version: '1.0.0', validate: false }),
    {
      validate: false,
    },
  );
  return { registry, pluginDirectory };
}

async function expectAttackRefused(route: TestRoute, code: PluginErrorCode, validate = false): Promise<void> {
  const { registry, pluginDirectory } = await installVersionOne();
  const before = await snapshotFolder(pluginDirectory);
  server.setRoute(route);
  const error = await registry
    .install(TARGET, { validate })
    .then(() => undefined)
    .catch((caught: unknown) => caught);
  expect(PluginError.is(error) ? error.code : error).toBe(code);
  expect(await snapshotFolder(pluginDirectory)).toEqual(before);
  expect((await readManifest(join(pluginDirectory, TARGET))).manifest.version).toBe('1.0.0');
  await registry.close();
}

beforeAll(async () => {
  const root = await createTemporaryFolder();
  const pack = async (pluginId: string, version: string) =>
    published((await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }))).archive);
  fixtures = {
    v1: await pack(TARGET, '1.0.0'),
    v2: await pack(TARGET, '2.0.0'),
    other: await pack('com.example.other', '1.0.0'),
  };
  server = await startTestServer(() => false);
});

afterAll(async () => {
  await server.close();
});

describe('a hostile marketplace', () => {
  it('serves honestly: the update installs (control case)', async () => {
    const { registry, pluginDirectory } = await installVersionOne();
    server.setRoute(marketplace(signIndex(indexBody(6, fixtures.v2!), keys), goodArchives()));
    await registry.install(TARGET, { validate: false });
    expect((await readManifest(join(pluginDirectory, TARGET))).manifest.version).toBe('2.0.0');
    const lock = JSON.parse(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8'));
    expect(lock.plugins[TARGET]).toMatchObject({
      version: '2.0.0',
      sha256: fixtures.v2!.sha256,
      source: server.url,
    });
  });

  it('a tampered archive: INTEGRITY_MISMATCH', async () => {
    const tampered = Buffer.from(fixtures.v2!.archive);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0xff;
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.v2!), keys), { ...goodArchives(), [v2Name]: tampered }),
      'INTEGRITY_MISMATCH',
    );
  });

  it('a declared size smaller than the archive: TOO_LARGE', async () => {
    const lying = { ...fixtures.v2!, size: fixtures.v2!.size - 100 };
    await expectAttackRefused(marketplace(signIndex(indexBody(6, lying), keys), goodArchives()), 'TOO_LARGE');
  });

  it('a declared size larger than the archive: INTEGRITY_MISMATCH', async () => {
    const lying = { ...fixtures.v2!, size: fixtures.v2!.size + 100 };
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, lying), keys), goodArchives()),
      'INTEGRITY_MISMATCH',
    );
  });

  it('an endless body: TOO_LARGE', async () => {
    const endless: TestRoute = (_request, response) =>
      sendEndlessBody(response, 'application/gzip', Buffer.alloc(16 * 1024, 7));
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.v2!), keys), { ...goodArchives(), [v2Name]: endless }),
      'TOO_LARGE',
    );
  });

  it('a stalled body: TIMEOUT', async () => {
    const stalled: TestRoute = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': fixtures.v2!.size });
      response.write(fixtures.v2!.archive.subarray(0, 100));
      return true;
    };
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.v2!), keys), { ...goodArchives(), [v2Name]: stalled }),
      'TIMEOUT',
    );
  });

  it('an index signed by an unknown key: SIGNATURE_INVALID', async () => {
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.v2!), strangerKeys), goodArchives()),
      'SIGNATURE_INVALID',
    );
  });

  it('an index whose body was altered after signing: SIGNATURE_INVALID', async () => {
    const signed = signIndex(indexBody(6, fixtures.v2!), keys);
    const altered = { ...signed, signed: { ...signed.signed, version: 7 } };
    await expectAttackRefused(marketplace(altered, goodArchives()), 'SIGNATURE_INVALID');
  });

  it('an expired index: INDEX_EXPIRED', async () => {
    const expired = signIndex(
      indexBody(6, fixtures.v2!, { expires: new Date(Date.now() - 1000).toISOString() }),
      keys,
    );
    await expectAttackRefused(marketplace(expired, goodArchives()), 'INDEX_EXPIRED');
  });

  it('an older index (rollback): ROLLBACK_DETECTED', async () => {
    await expectAttackRefused(
      marketplace(signIndex(indexBody(4, fixtures.v2!), keys), goodArchives()),
      'ROLLBACK_DETECTED',
    );
  });

  it('the same index version with different content: ROLLBACK_DETECTED', async () => {
    const other = signIndex({ ...indexBody(5, fixtures.v2!), signed_at: '2020-01-01T00:00:00.000Z' }, keys);
    await expectAttackRefused(marketplace(other, goodArchives()), 'ROLLBACK_DETECTED');
  });

  it("an index entry pointing at another plugin's archive: INTEGRITY_MISMATCH", async () => {
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.other!), keys), {
        ...goodArchives(),
        [v2Name]: fixtures.other!.archive,
      }),
      'INTEGRITY_MISMATCH',
    );
  });

  it("another plugin's archive served under this name: INTEGRITY_MISMATCH", async () => {
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, fixtures.v2!), keys), {
        ...goodArchives(),
        [v2Name]: fixtures.other!.archive,
      }),
      'INTEGRITY_MISMATCH',
    );
  });

  const manifestFor = (version: string) =>
    JSON.stringify({
      plugin_id: TARGET,
      version,
      name: 'x',
      description: '',
      author: 'x',
      plugin_type: 'tool',
      entry_point: 'main',
    });
  const hostileArchives: [string, Buffer, PluginErrorCode][] = [
    [
      '../',
      buildRawTgz([
        { name: 'plugin.json', data: manifestFor('2.0.0') },
        { name: '../../escape.js', data: 'x' },
      ]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'an absolute path',
      buildRawTgz([
        { name: 'plugin.json', data: manifestFor('2.0.0') },
        { name: '/tmp/escape.js', data: 'x' },
      ]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a symlink',
      buildRawTgz([
        { name: 'plugin.json', data: manifestFor('2.0.0') },
        { name: 'main.js', type: '2', linkName: '/etc/passwd' },
      ]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a hard link',
      buildRawTgz([
        { name: 'plugin.json', data: manifestFor('2.0.0') },
        { name: 'main.js', type: '1', linkName: '/etc/passwd' },
      ]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a gzip bomb',
      buildRawTgz([
        { name: 'plugin.json', data: manifestFor('2.0.0') },
        { name: 'zeros', data: Buffer.alloc(16 * 1024 * 1024) },
      ]),
      'TOO_LARGE',
    ],
  ];
  it.each(hostileArchives)('a signed archive with %s: %s', async (_label, archive, code) => {
    const entry = published(archive);
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, entry), keys), { ...goodArchives(), [v2Name]: archive }),
      code,
    );
  });

  it('a signed archive whose code the validator rejects: VALIDATION_FAILED', async () => {
    const root = await createTemporaryFolder();
    const evil = published(
      (
        await packPlugin(
          await writePluginFolder(
            root,
            { plugin_id: TARGET, version: '2.0.0' },
            {
              'main.js':
                "import { execSync } from 'node:child_process';\nexport class Plugin { describe() { return execSync('id').toString(); } }\n",
            },
          ),
        )
      ).archive,
    );
    await expectAttackRefused(
      marketplace(signIndex(indexBody(6, evil), keys), { ...goodArchives(), [v2Name]: evil.archive }),
      'VALIDATION_FAILED',
      true,
    );
  });

  it('retries 5xx and then succeeds, and never retries a 404', async () => {
    const { registry } = await installVersionOne();
    let failures = 1;
    const index = signIndex(indexBody(6, fixtures.v2!), keys);
    const flaky = marketplace(index, goodArchives());
    server.setRoute((request, response) => {
      if (request.url === '/index.json' && failures > 0) {
        failures -= 1;
        response.writeHead(503);
        response.end();
        return true;
      }
      return flaky(request, response);
    });
    expect((await registry.refreshIndex({ force: true })).version).toBe(6);
    const before = server.requests.length;
    server.setRoute(() => false);
    const error = await registry.refreshIndex({ force: true }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'NOT_FOUND')).toBe(true);
    expect(server.requests.length - before).toBe(1);
  });

  it('an endless index: TOO_LARGE, and the plugin directory untouched', async () => {
    const { pluginDirectory } = await installVersionOne();
    const before = await snapshotFolder(pluginDirectory);
    const root = await createTemporaryFolder();
    const registry = new PluginRegistry({
      pluginDirectory,
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: server.url,
      trustedKeys: [keys.publicKey],
      protocol: 1,
      maxIndexBytes: 1024 * 1024,
      retries: 0,
    });
    server.setRoute((_request, response) =>
      sendEndlessBody(response, 'application/json', Buffer.alloc(64 * 1024, 0x20)),
    );
    const error = await registry.install(TARGET, { validate: false }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'TOO_LARGE')).toBe(true);
    expect(await snapshotFolder(pluginDirectory)).toEqual(before);
  });

  it('a server that never answers: TIMEOUT', async () => {
    const { registry } = await installVersionOne();
    server.setRoute(() => true);
    const error = await registry.refreshIndex({ force: true }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'TIMEOUT')).toBe(true);
  });
});
