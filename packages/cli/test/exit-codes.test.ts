import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTerminalControlCharacter } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import {
  createSearchFile,
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  type IndexVersionEntry,
  type MetadataRepository,
  SEARCH_FILE_PATH,
  TIMESTAMP_PATH,
} from '@agentplug/registry-client/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSingleKeyMetadata } from '../../registry-client/test/helpers/single-key-root';
import { snapshotFolder } from './folder-snapshot';
import { runAgentplug } from './run-agentplug';
import { writePlugin } from './write-plugin';

// One test per exit code of the README's table, each through the CLI as a subprocess against a
// marketplace this test controls (honest or hostile), checking the plugin folder after each refusal.

type Route = (request: IncomingMessage, response: ServerResponse) => boolean;

const keys = generateSigningKeyPair();
const APP = 'com.example.app';
const LIBRARY = 'com.example.library';
const ESCAPE = '\u001b';
/** Each test runs the CLI several times, each a node process that loads TypeScript: minutes on a busy machine. */
const SUBPROCESS_TIMEOUT_MS = 300_000;

let workspace: string;
let server: Server;
let url: string;
let route: Route = () => false;
let archives: Map<string, Buffer>;
let entries: Map<string, IndexVersionEntry>;

function send(response: ServerResponse, body: string | Buffer, type = 'application/json'): true {
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
  return true;
}

/** Every protocol v2 file the marketplace signed (consistent snapshots keep the old ones), by URL path. */
let metadata: Map<string, Uint8Array>;
let repository: MetadataRepository;

/**
 * Signs the catalog (both plugins at 1.0.0) as protocol v2 metadata, one key for every role as
 * `agentplug marketplace build` does, with the static search file beside it.
 */
function signCatalog(overrides: { description?: string; name?: string } = {}): void {
  const catalog: Record<string, IndexPluginEntry> = {};
  for (const pluginId of [APP, LIBRARY]) {
    const plugin: IndexPluginEntry = {
      plugin_id: pluginId,
      name: overrides.name ?? pluginId,
      description: overrides.description ?? `the ${pluginId} plugin`,
      plugin_type: 'tool',
      tags: ['test'],
      author: 'tests',
      downloads: 3,
      rating: 0,
      rating_count: 0,
      versions: { '1.0.0': entries.get(pluginId) as IndexVersionEntry },
    };
    catalog[pluginId] = plugin;
    repository.putTargets(pluginId, {
      plugin: {
        name: plugin.name,
        description: plugin.description,
        plugin_type: plugin.plugin_type,
        tags: plugin.tags,
        author: plugin.author,
      },
      versions: plugin.versions,
    });
  }
  for (const file of repository.commit()) metadata.set(`/${file.path}`, file.bytes);
  metadata.set(`/${SEARCH_FILE_PATH}`, createSearchFile(catalog));
}

/** An honest marketplace serving the signed metadata and the archives, with `extra` tried first. */
function serve(extra: Route = () => false): void {
  route = (request, response) => {
    if (extra(request, response)) return true;
    const file = metadata.get(request.url ?? '') ?? archives.get(request.url ?? '');
    return file === undefined ? false : send(response, Buffer.from(file), 'application/octet-stream');
  };
}

function serveHonestly(): void {
  signCatalog();
  serve();
}

/** A fresh plugin folder and cache for one run, and the environment pointing the CLI at them. */
async function createCase(): Promise<{ folder: string; plugins: string; env: Record<string, string> }> {
  const folder = await mkdtemp(join(workspace, 'case-'));
  const plugins = join(folder, 'plugins');
  await mkdir(plugins);
  await writeFile(join(plugins, 'agentplug-lock.json'), '{\n  "lockfile_version": 1,\n  "plugins": {}\n}\n');
  return {
    folder,
    plugins,
    env: {
      AGENTPLUG_MARKETPLACE: url,
      AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
      AGENTPLUG_PLUGINS_DIR: plugins,
      XDG_CACHE_HOME: join(folder, 'cache'),
      XDG_CONFIG_HOME: join(folder, 'config'),
    },
  };
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-exit-codes-'));
  archives = new Map();
  entries = new Map();
  metadata = new Map();
  const single = createSingleKeyMetadata(keys);
  metadata.set(`/${single.rootFile.path}`, single.rootFile.bytes);
  repository = single.repository;
  const sources: [string, Record<string, string[]>, unknown[]][] = [
    [LIBRARY, { environment_variables: ['LIBRARY_TOKEN'] }, []],
    [
      APP,
      { network_hosts: ['api.example.com'] },
      [{ plugin_id: LIBRARY, version_constraint: '^1.0.0', optional: false }],
    ],
  ];
  for (const [pluginId, permissions, dependencies] of sources) {
    const folder = await writePlugin(join(workspace, 'sources'), { pluginId, version: '1.0.0', permissions });
    const manifest = JSON.parse(await readFile(join(folder, 'plugin.json'), 'utf8'));
    await writeFile(join(folder, 'plugin.json'), JSON.stringify({ ...manifest, dependencies }));
    const packed = await packPlugin(folder);
    archives.set(`/archives/${formatArchiveName(pluginId, '1.0.0')}`, packed.archive);
    entries.set(pluginId, {
      version: '1.0.0',
      dependencies: packed.manifest.dependencies,
      min_runtime_version: '*',
      max_runtime_version: '*',
      permissions: packed.manifest.permissions,
      security_score: 97,
      risk_level: 'low',
      sha256: createHash('sha256').update(packed.archive).digest('hex'),
      size: packed.archive.length,
      published_at: '2026-01-01T00:00:00.000Z',
      yanked: false,
    });
  }
  server = createServer((request, response) => {
    if (!route(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(workspace, { recursive: true, force: true });
});

describe("the README's exit codes, one by one", () => {
  test(
    '0: search and info succeed, printing marketplace text escaped, never raw control characters',
    async () => {
      const hostileText = `calc${ESCAPE}[2J${ESCAPE}]0;owned\u0007\u009b31m\u202eexe.txt\nsecond line`;
      signCatalog({ description: hostileText, name: hostileText });
      serve();
      const { env } = await createCase();
      for (const args of [
        ['search', 'calc'],
        ['info', APP],
        ['search', 'calc', '--json'],
      ]) {
        const run = await runAgentplug(args, { env });
        expect(run.exitCode, run.stderr).toBe(0);
        expect(findTerminalControlCharacter(run.stdout.replaceAll('\n', ''))).toBe(-1);
        expect(run.stdout).toContain('\\u001b[2J');
      }
      const json = await runAgentplug(['search', 'calc', '--json'], { env });
      expect(JSON.parse(json.stdout)[0].description).toBe(hostileText);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '1: a failure no other code covers (a corrupt lock file), the plugin folder untouched',
    async () => {
      serveHonestly();
      const { plugins, env } = await createCase();
      await writeFile(
        join(plugins, 'agentplug-lock.json'),
        '{"lockfile_version":1,"plugins":{"__proto__":{}}}',
      );
      const before = await snapshotFolder(plugins);
      const run = await runAgentplug(['install', LIBRARY, '--yes'], { env });
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stderr).toContain('INSTALL_FAILED');
      expect(await snapshotFolder(plugins)).toEqual(before);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '2: usage — publish without a token, a bad id or range, plain HTTP with --require-tls',
    async () => {
      const { env } = await createCase();
      const folder = await writePlugin(join(workspace, 'publishable'), {
        pluginId: 'com.example.published',
        version: '1.0.0',
      });
      for (const args of [
        ['publish', folder, '--no-check'],
        // Not `../x`: a path is a local install (as npm reads it), refused by what the file holds.
        ['install', 'com.example.Not_An_Id', '--yes'],
        ['install', `${APP}@>>>nonsense`, '--yes'],
        ['info', '__proto__'],
        [
          'publish',
          folder,
          '--no-check',
          '--token',
          't',
          '--require-tls',
          '--marketplace',
          'http://10.255.255.1:9/',
        ],
      ]) {
        const run = await runAgentplug(args, { env });
        expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      }
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '3: validation — publishing a plugin whose plugin.json holds terminal control characters',
    async () => {
      const { env } = await createCase();
      const folder = await writePlugin(join(workspace, 'hostile-manifest'), {
        pluginId: 'com.example.hostile',
        version: '1.0.0',
      });
      const manifest = JSON.parse(await readFile(join(folder, 'plugin.json'), 'utf8'));
      await writeFile(
        join(folder, 'plugin.json'),
        JSON.stringify({ ...manifest, description: `x${ESCAPE}[2Jy` }),
      );
      const run = await runAgentplug(['publish', folder, '--no-check', '--token', 't', '--verbose'], { env });
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toContain('CONTROL_CHARACTER');
      expect(run.stderr).not.toContain(ESCAPE);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '4: unreachable or too slow — a trickled timestamp past --timeout, and publish answers that are HTML or endless',
    async () => {
      signCatalog();
      const timestamp = Buffer.from(metadata.get(`/${TIMESTAMP_PATH}`) as Uint8Array);
      serve((request, response) => {
        if (request.url !== `/${TIMESTAMP_PATH}`) return false;
        response.writeHead(200, { 'content-length': timestamp.length });
        let sent = 0;
        const timer = setInterval(() => {
          if (response.destroyed || sent >= timestamp.length) return clearInterval(timer);
          response.write(timestamp.subarray(sent, sent + 1));
          sent += 1;
        }, 200);
        response.on('close', () => clearInterval(timer));
        return true;
      });
      const { plugins, env } = await createCase();
      const before = await snapshotFolder(plugins);
      const started = Date.now();
      const slow = await runAgentplug(['install', APP, '--yes', '--timeout', '2'], { env });
      expect(slow.exitCode, slow.stderr).toBe(4);
      expect(slow.stderr).toContain('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await snapshotFolder(plugins)).toEqual(before);
      const folder = await writePlugin(join(workspace, 'publish-answers'), {
        pluginId: 'com.example.answered',
        version: '1.0.0',
      });
      for (const answer of [
        (response: ServerResponse) =>
          send(response, '<html><body>502 Bad Gateway</body></html>', 'text/html'),
        (response: ServerResponse) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(256 * 1024, 0x20);
          const write = (): void => {
            while (!response.destroyed && response.write(chunk)) {}
            if (!response.destroyed) response.once('drain', write);
          };
          write();
          return true;
        },
      ]) {
        route = (request, response) => request.method === 'POST' && answer(response);
        const run = await runAgentplug(['publish', folder, '--no-check', '--token', 't'], { env });
        expect(run.exitCode, run.stderr).toBe(4);
        expect(run.stderr).not.toContain('Cannot read properties');
      }
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '5: no such plugin or version',
    async () => {
      serveHonestly();
      const { plugins, env } = await createCase();
      const before = await snapshotFolder(plugins);
      for (const spec of ['com.example.missing', `${APP}@^9.0.0`]) {
        const run = await runAgentplug(['install', spec, '--yes'], { env });
        expect(run.exitCode, run.stderr).toBe(5);
      }
      expect(await snapshotFolder(plugins)).toEqual(before);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '6: declined without a terminal, after showing every plugin with its permissions, dependencies included',
    async () => {
      serveHonestly();
      const { plugins, env } = await createCase();
      const before = await snapshotFolder(plugins);
      const run = await runAgentplug(['install', APP], { env });
      expect(run.exitCode, run.stderr).toBe(6);
      expect(run.stdout).toContain(`install ${LIBRARY}@1.0.0  [dependency]`);
      expect(run.stdout).toContain('environment_variables: LIBRARY_TOKEN');
      expect(run.stdout).toContain(`install ${APP}@1.0.0`);
      expect(run.stdout).toContain('network_hosts: api.example.com');
      expect(await snapshotFolder(plugins)).toEqual(before);
      const accepted = await runAgentplug(['install', APP, '--yes', '--json'], { env });
      expect(accepted.exitCode, accepted.stderr).toBe(0);
      const lock = JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8'));
      expect(lock.plugins[LIBRARY].permissions.environment_variables).toEqual(['LIBRARY_TOKEN']);
      expect(lock.plugins[APP].permissions.network_hosts).toEqual(['api.example.com']);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  test(
    '7: a signature, hash, size or expiry check failed — larger than signed, tampered, smuggled __proto__, re-dated, frozen; nothing installed',
    async () => {
      const appArchive = archives.get(`/archives/${formatArchiveName(APP, '1.0.0')}`) as Buffer;
      const libraryArchive = archives.get(`/archives/${formatArchiveName(LIBRARY, '1.0.0')}`) as Buffer;
      signCatalog();
      const honest = Buffer.from(metadata.get(`/${TIMESTAMP_PATH}`) as Uint8Array).toString();
      // A mirror splices an unsigned member into the timestamp, the one file no hash pins.
      const smuggled = honest.replace(
        '"signed":{',
        `"signed":{"__proto__":{"snapshot":{"version":1,"sha256":"${'0'.repeat(64)}","length":10}},`,
      );
      const stale = JSON.parse(honest);
      stale.signed.expires = new Date(Date.now() + 86_400_000).toISOString();
      // Validly signed, but its hours are up: what a mirror freezing the client on old metadata serves.
      const [frozen] = repository.renew(new Date(Date.now() - 7 * 3_600_000));
      const expired = Buffer.from((frozen as { bytes: Uint8Array }).bytes);
      const attacks: [string, string, Route][] = [
        [
          'an archive larger than signed',
          'TOO_LARGE',
          (request, response) =>
            request.url === `/archives/${formatArchiveName(APP, '1.0.0')}` &&
            send(response, Buffer.concat([appArchive, Buffer.alloc(64)])),
        ],
        [
          'a tampered dependency archive',
          'INTEGRITY_MISMATCH',
          (request, response) => {
            if (request.url !== `/archives/${formatArchiveName(LIBRARY, '1.0.0')}`) return false;
            const tampered = Buffer.from(libraryArchive);
            tampered[tampered.length - 9] = (tampered[tampered.length - 9] ?? 0) ^ 0xff;
            return send(response, tampered);
          },
        ],
        [
          'a smuggled __proto__ in the timestamp',
          'SIGNATURE_INVALID',
          (request, response) => request.url === `/${TIMESTAMP_PATH}` && send(response, smuggled),
        ],
        [
          'a timestamp whose expiry was moved after signing',
          'SIGNATURE_INVALID',
          (request, response) =>
            request.url === `/${TIMESTAMP_PATH}` && send(response, JSON.stringify(stale)),
        ],
        [
          'an expired timestamp (freeze)',
          'INDEX_EXPIRED',
          (request, response) => request.url === `/${TIMESTAMP_PATH}` && send(response, expired),
        ],
      ];
      for (const [label, code, attack] of attacks) {
        serve(attack);
        const { plugins, env } = await createCase();
        const before = await snapshotFolder(plugins);
        const run = await runAgentplug(['install', APP, '--yes'], { env });
        expect(run.exitCode, `${label}: ${run.stderr}`).toBe(7);
        expect(run.stderr, label).toContain(code);
        expect(await snapshotFolder(plugins)).toEqual(before);
      }
    },
    SUBPROCESS_TIMEOUT_MS,
  );
});
