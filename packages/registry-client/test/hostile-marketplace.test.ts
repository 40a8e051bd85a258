import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginErrorCode, readManifest } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry, packPlugin } from '../src/index';
import {
  formatRootPath,
  formatSnapshotPath,
  formatTargetsPath,
  generateSigningKeyPair,
  MAX_METADATA_BYTES,
  MAX_ROOT_BYTES,
  MAX_TIMESTAMP_BYTES,
  serializeMetadata,
  signMetadata,
  TIMESTAMP_PATH,
  type TimestampBody,
} from '../src/protocol/index';
import {
  sendBytes,
  sendEndlessBody,
  startTestServer,
  type TestRoute,
  type TestServer,
} from './helpers/hostile-server';
import { attackerWithTargets } from './helpers/metadata-marketplace';
import { createTemporaryFolder, snapshotFolder, writePluginFolder } from './helpers/plugin-fixtures';
import { buildRawTgz } from './helpers/raw-tar';
import {
  type Catalog,
  catalogOf,
  createSignedMarketplace,
  type PublishedPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

// Every attack of a hostile marketplace (or of whoever sits between it and the client) on protocol v2
// metadata and on the archives it vouches for: each refused with its exact code, after a good install
// of 1.0.0 from the same marketplace, which must be left exactly as it was.

const TARGET = 'com.example.target';
const OTHER = 'com.example.other';
const HOUR_MS = 60 * 60 * 1000;

let fixtures: { v1: PublishedPlugin; v2: PublishedPlugin; other: PublishedPlugin };
let server: TestServer;

function published(pluginId: string, version: string, archive: Buffer): PublishedPlugin {
  const sha256 = createHash('sha256').update(archive).digest('hex');
  return {
    pluginId,
    version,
    archive,
    sha256,
    size: archive.length,
    entry: {
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
      risk_level: 'low',
      sha256,
      size: archive.length,
      published_at: '2026-01-01T00:00:00.000Z',
      yanked: false,
    },
  };
}

/** The catalog with the target at 1.0.0 and `second` as its 2.0.0 (as signed), and the other plugin. */
function catalogWith(second: PublishedPlugin): Catalog {
  return catalogOf([fixtures.v1, { ...second, pluginId: TARGET, version: '2.0.0' }, fixtures.other]);
}

/** A signed entry for 2.0.0 that says what `archive` is (its sha256 and size), whatever it holds. */
function signedAs(archive: Buffer, overrides: { size?: number } = {}): PublishedPlugin {
  const entry = published(TARGET, '2.0.0', archive);
  return { ...entry, entry: { ...entry.entry, size: overrides.size ?? entry.size } };
}

/** An archive route: answers requests for the target's 2.0.0 archive with `route`. */
function archiveRoute(route: TestRoute): TestRoute {
  return (request, response) =>
    request.url?.startsWith(`/archives/${TARGET}-2.0.0`) === true ? route(request, response) : false;
}

interface Installed {
  registry: PluginRegistry;
  pluginDirectory: string;
  marketplace: SignedMarketplace;
  /** What the client's clock says; tests move it forward. */
  clock: { now: Date };
  /** The timestamp of the signing before the one the client installed from. */
  olderTimestamp: Uint8Array;
}

/**
 * A plugin directory with the target's 1.0.0 installed from an honest v2 marketplace, signed twice
 * (so an older timestamp exists) and seen by the client at the second signing.
 */
async function installVersionOne(): Promise<Installed> {
  const root = await createTemporaryFolder();
  const pluginDirectory = join(root, 'plugins');
  const marketplace = createSignedMarketplace(server);
  const all = [fixtures.v1, fixtures.v2, fixtures.other];
  marketplace.serve(catalogWith(fixtures.v2), all);
  const olderTimestamp = marketplace.files.get(TIMESTAMP_PATH) as Uint8Array;
  marketplace.serve(catalogWith(fixtures.v2), all);
  const clock = { now: new Date() };
  const registry = new PluginRegistry({
    pluginDirectory,
    cacheDirectory: join(root, 'cache'),
    marketplaceUrl: server.url,
    trustedKeys: [marketplace.keys.publicKey],
    indexMaxAgeMs: 0,
    retries: 1,
    retryDelayMs: 5,
    requestTimeoutMs: 1_000,
    stallTimeoutMs: 500,
    totalTimeoutMs: 5_000,
    now: () => clock.now,
  });
  const download = await registry.downloadPlugin(TARGET, { version: '1.0.0', validate: false });
  await registry.installPlugin(TARGET, download, { validate: false });
  return { registry, pluginDirectory, marketplace, clock, olderTimestamp };
}

/**
 * Installs 1.0.0, lets `attack` change what the marketplace answers, then asks for the update: it
 * must fail with `code`, and the plugin directory must be exactly as it was, 1.0.0 still installed.
 */
async function expectAttackRefused(
  attack: (installed: Installed) => void | Promise<void>,
  code: PluginErrorCode,
  options: { validate?: boolean } = {},
): Promise<PluginError> {
  const installed = await installVersionOne();
  const { registry, pluginDirectory } = installed;
  const before = await snapshotFolder(pluginDirectory);
  await attack(installed);
  const error = await registry
    .install(TARGET, { validate: options.validate ?? false })
    .then(() => undefined)
    .catch((caught: unknown) => caught);
  expect(PluginError.is(error) ? error.code : error).toBe(code);
  expect(await snapshotFolder(pluginDirectory)).toEqual(before);
  expect((await readManifest(join(pluginDirectory, TARGET))).manifest.version).toBe('1.0.0');
  await registry.close();
  return error as PluginError;
}

/** Serves `catalogWith(second)` with the honest archives, `extra` answering first. */
function serveSecond(marketplace: SignedMarketplace, second: PublishedPlugin, extra?: TestRoute): void {
  marketplace.serve(catalogWith(second), [fixtures.v1, fixtures.v2, fixtures.other], { extra });
}

/** The current timestamp's body. */
function currentTimestamp(marketplace: SignedMarketplace): TimestampBody {
  return JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString()).signed;
}

/** A timestamp the marketplace's own key signs (what a thief of the online key can serve). */
function signTimestamp(marketplace: SignedMarketplace, body: TimestampBody): Uint8Array {
  return serializeMetadata(signMetadata(body, [marketplace.keys]));
}

beforeAll(async () => {
  const root = await createTemporaryFolder();
  const pack = async (pluginId: string, version: string) =>
    published(
      pluginId,
      version,
      (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }))).archive,
    );
  fixtures = {
    v1: await pack(TARGET, '1.0.0'),
    v2: await pack(TARGET, '2.0.0'),
    other: await pack(OTHER, '1.0.0'),
  };
  server = await startTestServer(() => false);
});

afterAll(async () => {
  await server.close();
});

describe('a hostile marketplace: the archives signed v2 targets vouch for', () => {
  it('serves honestly: the update installs (control case)', async () => {
    const { registry, pluginDirectory, marketplace } = await installVersionOne();
    serveSecond(marketplace, fixtures.v2);
    await registry.install(TARGET, { validate: false });
    expect((await readManifest(join(pluginDirectory, TARGET))).manifest.version).toBe('2.0.0');
    const lock = JSON.parse(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8'));
    expect(lock.plugins[TARGET]).toMatchObject({
      version: '2.0.0',
      sha256: fixtures.v2.sha256,
      source: server.url,
      key_id: marketplace.keys.keyId,
    });
    await registry.close();
  });

  it('a tampered archive (one byte flipped): INTEGRITY_MISMATCH', async () => {
    const tampered = Buffer.from(fixtures.v2.archive);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0xff;
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) => sendBytes(response, tampered)),
        ),
      'INTEGRITY_MISMATCH',
    );
  });

  it('an archive larger than its signed size: TOO_LARGE', async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(marketplace, signedAs(fixtures.v2.archive, { size: fixtures.v2.size - 100 })),
      'TOO_LARGE',
    );
  });

  it('a server that declares a Content-Length above the signed size: TOO_LARGE before the body', async () => {
    const error = await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) => {
            response.writeHead(200, { 'content-length': 512 * 1024 * 1024 });
            response.write(fixtures.v2.archive);
            return true;
          }),
        ),
      'TOO_LARGE',
    );
    expect(error.details).toMatchObject({ declaredLength: 512 * 1024 * 1024, maxBytes: fixtures.v2.size });
  });

  it('a server that sends the signed bytes and then keeps going past its Content-Length-less body: TOO_LARGE', async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) =>
            sendEndlessBody(response, 'application/gzip', Buffer.alloc(16 * 1024, 7)),
          ),
        ),
      'TOO_LARGE',
    );
  });

  it('an archive shorter than its signed size: INTEGRITY_MISMATCH', async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(marketplace, signedAs(fixtures.v2.archive, { size: fixtures.v2.size + 100 })),
      'INTEGRITY_MISMATCH',
    );
  });

  it('a stalled archive: TIMEOUT', async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) => {
            response.writeHead(200, {
              'content-type': 'application/gzip',
              'content-length': fixtures.v2.size,
            });
            response.write(fixtures.v2.archive.subarray(0, 100));
            return true;
          }),
        ),
      'TIMEOUT',
    );
  });

  it('an archive trickled a byte at a time, never stalling: TIMEOUT at the total deadline', async () => {
    const error = await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) => {
            response.writeHead(200, { 'content-length': fixtures.v2.size });
            let sent = 0;
            const timer = setInterval(() => {
              if (response.destroyed || sent >= fixtures.v2.size) return clearInterval(timer);
              response.write(fixtures.v2.archive.subarray(sent, sent + 1));
              sent += 1;
            }, 100);
            response.on('close', () => clearInterval(timer));
            return true;
          }),
        ),
      'TIMEOUT',
    );
    expect(error.details.timeoutMs).toBe(5_000);
  });

  it("another plugin's archive, signed as this version: INTEGRITY_MISMATCH (its plugin.json names another id)", async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          signedAs(fixtures.other.archive),
          archiveRoute((_request, response) => sendBytes(response, fixtures.other.archive)),
        ),
      'INTEGRITY_MISMATCH',
    );
  });

  it("another plugin's archive served under this name: INTEGRITY_MISMATCH", async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          fixtures.v2,
          archiveRoute((_request, response) => sendBytes(response, fixtures.other.archive)),
        ),
      'INTEGRITY_MISMATCH',
    );
  });

  it("this plugin's 1.0.0 archive, signed as 2.0.0: INTEGRITY_MISMATCH (its plugin.json names another version)", async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          signedAs(fixtures.v1.archive),
          archiveRoute((_request, response) => sendBytes(response, fixtures.v1.archive)),
        ),
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
  const manifest = { name: 'plugin.json', data: manifestFor('2.0.0') };
  const unsafeArchives: [string, Buffer, PluginErrorCode][] = [
    ['a ../ path', buildRawTgz([manifest, { name: '../../escape.js', data: 'x' }]), 'ARCHIVE_UNSAFE'],
    [
      'a nested ../ path',
      buildRawTgz([manifest, { name: 'lib/../../escape.js', data: 'x' }]),
      'ARCHIVE_UNSAFE',
    ],
    ['an absolute path', buildRawTgz([manifest, { name: '/tmp/escape.js', data: 'x' }]), 'ARCHIVE_UNSAFE'],
    ['a backslash path', buildRawTgz([manifest, { name: '..\\escape.js', data: 'x' }]), 'ARCHIVE_UNSAFE'],
    [
      'a symlink',
      buildRawTgz([manifest, { name: 'main.js', type: '2', linkName: '/etc/passwd' }]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a relative symlink out of the folder',
      buildRawTgz([manifest, { name: 'up', type: '2', linkName: '../..' }]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a hard link',
      buildRawTgz([manifest, { name: 'main.js', type: '1', linkName: '/etc/passwd' }]),
      'ARCHIVE_UNSAFE',
    ],
    ['a character device', buildRawTgz([manifest, { name: 'tty', type: '3' }]), 'ARCHIVE_UNSAFE'],
    ['a block device', buildRawTgz([manifest, { name: 'disk', type: '4' }]), 'ARCHIVE_UNSAFE'],
    ['a FIFO', buildRawTgz([manifest, { name: 'pipe', type: '6' }]), 'ARCHIVE_UNSAFE'],
    [
      'a duplicate path',
      buildRawTgz([manifest, { name: 'main.js', data: 'a' }, { name: 'main.js', data: 'b' }]),
      'ARCHIVE_UNSAFE',
    ],
    [
      'a gzip bomb',
      buildRawTgz([manifest, { name: 'zeros', data: Buffer.alloc(16 * 1024 * 1024) }]),
      'TOO_LARGE',
    ],
  ];
  it.each(unsafeArchives)(
    'a signed archive with %s: %s, nothing extracted',
    async (_label, archive, code) => {
      await expectAttackRefused(
        ({ marketplace }) =>
          serveSecond(
            marketplace,
            signedAs(archive),
            archiveRoute((_request, response) => sendBytes(response, archive)),
          ),
        code,
      );
    },
  );

  it('a signed archive whose code the validator rejects: VALIDATION_FAILED', async () => {
    const root = await createTemporaryFolder();
    const evil = (
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
    ).archive;
    await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(
          marketplace,
          signedAs(evil),
          archiveRoute((_request, response) => sendBytes(response, evil)),
        ),
      'VALIDATION_FAILED',
      { validate: true },
    );
  });
});

describe('a hostile marketplace: the v2 metadata', () => {
  it('rollback: the timestamp of an earlier signing, validly signed and unexpired: ROLLBACK_DETECTED', async () => {
    await expectAttackRefused(({ marketplace, olderTimestamp }) => {
      serveSecond(marketplace, fixtures.v2);
      marketplace.files.set(TIMESTAMP_PATH, olderTimestamp);
    }, 'ROLLBACK_DETECTED');
  });

  it('rollback of one plugin: a newer snapshot pinning an older targets file of it: ROLLBACK_DETECTED', async () => {
    await expectAttackRefused(async ({ marketplace }) => {
      // The client has read the target's current targets; the one before is validly signed too.
      const older = marketplace.repository.targetsVersion(TARGET) - 1;
      const olderBytes = marketplace.files.get(formatTargetsPath(TARGET, older)) as Uint8Array;
      const keys = [marketplace.keys];
      const files = await attackerWithTargets(
        { files: marketplace.files, snapshot: keys, timestamp: keys },
        TARGET,
        olderBytes,
      );
      for (const file of files) marketplace.files.set(file.path, file.bytes);
    }, 'ROLLBACK_DETECTED');
  });

  it('equivocation: the seen timestamp version with other content, validly signed: ROLLBACK_DETECTED', async () => {
    await expectAttackRefused(({ marketplace }) => {
      const seen = currentTimestamp(marketplace);
      const forked = { ...seen, expires: new Date(Date.now() + 2 * HOUR_MS).toISOString() };
      marketplace.files.set(TIMESTAMP_PATH, signTimestamp(marketplace, forked));
    }, 'ROLLBACK_DETECTED');
  });

  it('freeze: the same metadata served past its timestamp expiry: INDEX_EXPIRED, with the 304 too', async () => {
    let frozen: SignedMarketplace | undefined;
    const error = await expectAttackRefused(({ clock, marketplace }) => {
      clock.now = new Date(Date.now() + 7 * HOUR_MS);
      frozen = marketplace;
    }, 'INDEX_EXPIRED');
    // The marketplace answered the conditional timestamp request 304: the held copy is re-checked.
    expect(frozen?.notModified).toBe(1);
    expect(error.message).toContain('timestamp');
  });

  it('freeze: a new timestamp signed already expired: INDEX_EXPIRED', async () => {
    await expectAttackRefused(
      ({ marketplace }) =>
        marketplace.serve(catalogWith(fixtures.v2), [fixtures.v1, fixtures.v2, fixtures.other], {
          now: new Date(Date.now() - 7 * HOUR_MS),
        }),
      'INDEX_EXPIRED',
    );
  });

  it('mix-and-match: an older snapshot served under the pinned one: INTEGRITY_MISMATCH', async () => {
    await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const pinned = currentTimestamp(marketplace).snapshot.version;
      const older = marketplace.files.get(formatSnapshotPath(pinned - 1)) as Uint8Array;
      marketplace.files.set(formatSnapshotPath(pinned), older);
    }, 'INTEGRITY_MISMATCH');
  });

  it('mix-and-match: an older targets file of the plugin served under the pinned one: INTEGRITY_MISMATCH', async () => {
    await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const pinned = marketplace.repository.targetsVersion(TARGET);
      const older = marketplace.files.get(formatTargetsPath(TARGET, pinned - 1)) as Uint8Array;
      marketplace.files.set(formatTargetsPath(TARGET, pinned), older);
    }, 'INTEGRITY_MISMATCH');
  });

  it('a timestamp signed by a key the root does not list: SIGNATURE_INVALID', async () => {
    const stranger = generateSigningKeyPair();
    await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const body = currentTimestamp(marketplace);
      marketplace.files.set(TIMESTAMP_PATH, serializeMetadata(signMetadata(body, [stranger])));
    }, 'SIGNATURE_INVALID');
  });

  it('a timestamp whose body was changed after signing: SIGNATURE_INVALID', async () => {
    await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const document = JSON.parse(
        Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString(),
      );
      document.signed.version += 10;
      marketplace.files.set(TIMESTAMP_PATH, Buffer.from(JSON.stringify(document)));
    }, 'SIGNATURE_INVALID');
  });

  it('metadata size caps: an endless timestamp stops at its cap: TOO_LARGE', async () => {
    const error = await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(marketplace, fixtures.v2, (request, response) =>
          request.url === `/${TIMESTAMP_PATH}`
            ? sendEndlessBody(response, 'application/json', Buffer.alloc(4096, 0x20))
            : false,
        ),
      'TOO_LARGE',
    );
    expect(error.details.maxBytes).toBe(MAX_TIMESTAMP_BYTES);
  });

  it('metadata size caps: an endless next root stops at its cap: TOO_LARGE', async () => {
    const error = await expectAttackRefused(
      ({ marketplace }) =>
        serveSecond(marketplace, fixtures.v2, (request, response) =>
          request.url === `/${formatRootPath(2)}`
            ? sendEndlessBody(response, 'application/json', Buffer.alloc(64 * 1024, 0x20))
            : false,
        ),
      'TOO_LARGE',
    );
    expect(error.details.maxBytes).toBe(MAX_ROOT_BYTES);
  });

  it('metadata size caps: a snapshot served longer than the timestamp pins is cut at the pinned length: TOO_LARGE', async () => {
    await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const path = formatSnapshotPath(currentTimestamp(marketplace).snapshot.version);
      const honest = marketplace.files.get(path) as Uint8Array;
      marketplace.files.set(path, Buffer.concat([honest, Buffer.alloc(64 * 1024, 0x20)]));
    }, 'TOO_LARGE');
  });

  it('metadata size caps: a snapshot pinned above the metadata cap is not fetched: TOO_LARGE', async () => {
    const error = await expectAttackRefused(({ marketplace }) => {
      serveSecond(marketplace, fixtures.v2);
      const body = currentTimestamp(marketplace);
      const huge = {
        ...body,
        version: body.version + 1,
        snapshot: { ...body.snapshot, length: MAX_METADATA_BYTES + 1 },
      };
      marketplace.files.set(TIMESTAMP_PATH, signTimestamp(marketplace, huge));
    }, 'TOO_LARGE');
    expect(error.message).toContain(String(MAX_METADATA_BYTES));
  });

  it('retries a 5xx and then succeeds, and never retries a 404', async () => {
    const { registry, marketplace } = await installVersionOne();
    let failures = 1;
    serveSecond(marketplace, fixtures.v2, (request, response) => {
      if (request.url !== `/${TIMESTAMP_PATH}` || failures === 0) return false;
      failures -= 1;
      response.writeHead(503);
      response.end();
      return true;
    });
    expect((await registry.getPluginInfo(TARGET)).latest_version).toBe('2.0.0');
    expect(failures).toBe(0);
    const before = server.requests.length;
    server.setRoute(() => false);
    const error = await registry.getPluginInfo(TARGET).catch((caught: unknown) => caught);
    // The next-root probe answers 404 (no rotation), then the timestamp does: asked once, not retried.
    expect(PluginError.is(error, 'NOT_FOUND')).toBe(true);
    expect(server.requests.slice(before)).toEqual([`/${formatRootPath(2)}`, `/${TIMESTAMP_PATH}`]);
    await registry.close();
  });

  it('a server that never answers: TIMEOUT, the plugin directory untouched', async () => {
    await expectAttackRefused(({ marketplace }) => {
      marketplace.serveSigned([], { extra: () => true });
    }, 'TIMEOUT');
  });
});
