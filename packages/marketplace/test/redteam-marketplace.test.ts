// Attacks on the multi-publisher server by a publisher or a stranger, each against a real server on
// the embedded database: the exact status and code, nothing changed (catalog, archives, audit), and
// the server still serving another publisher afterwards.
import { randomBytes } from 'node:crypto';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePaxRecords } from '../../registry-client/src/archive/tar-format';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { buildRawTgz } from '../../registry-client/test/helpers/raw-tar';
import {
  createMarketplaceServer,
  type MarketplaceServer,
  type MarketplaceServerOptions,
} from '../src/create-marketplace-server';
import type { Actor } from '../src/publishers/publisher-directory';
import { pgliteEngine } from './helpers/store-engines';

const keys = generateSigningKeyPair();
const operator: Actor = { name: 'operator', address: 'test' };
const engine = pgliteEngine();

async function archiveOf(pluginId: string, version: string): Promise<Buffer> {
  const root = await createTemporaryFolder();
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }))).archive;
}

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code ?? 'none' };
}

/** A POST whose body arrives slowly: it starts with `first` and ends only when `finish` is called. */
function slowPost(
  url: URL,
  headers: Record<string, string | number>,
  first: Buffer,
): {
  request: ClientRequest;
  answer: Promise<{ status: number; code: string }>;
  finish(rest?: Buffer): void;
} {
  const request = httpRequest(url, { method: 'POST', headers });
  const answer = new Promise<{ status: number; code: string }>((resolve) => {
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        let code = 'none';
        try {
          code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? 'none';
        } catch {}
        resolve({ status: response.statusCode ?? 0, code });
      });
    });
    request.on('error', () => resolve({ status: 0, code: 'reset' }));
  });
  request.write(first);
  return { request, answer, finish: (rest) => request.end(rest) };
}

describe('red team: the multi-publisher marketplace', { timeout: 180_000 }, () => {
  const servers: MarketplaceServer[] = [];
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.close();
    await engine.release();
  }, 120_000);

  const start = async (options: Partial<MarketplaceServerOptions> = {}) => {
    const fixture = await engine.open();
    const sql = fixture.sql;
    if (sql === undefined) throw new Error('a SQL engine');
    const server = await createMarketplaceServer({
      storeDirectory: await createTemporaryFolder(),
      database: { engine: 'sql', database: sql.database, schema: sql.schema },
      signingKey: keys,
      validator: false,
      statsResignDelayMs: 60_000,
      ...options,
    });
    servers.push(server);
    const publishers = server.publishers;
    if (publishers === undefined) throw new Error('a SQL server has publishers');
    // Two publishers who do not trust each other.
    await publishers.addPublisher('acme', operator);
    await publishers.grantNamespace('acme', 'com.acme', operator);
    await publishers.addPublisher('mallory', operator);
    await publishers.grantNamespace('mallory', 'com.mallory', operator);
    const acme = await publishers.createToken('acme', { scopes: ['publish', 'yank', 'rate'] }, operator);
    const mallory = await publishers.createToken(
      'mallory',
      { scopes: ['publish', 'yank', 'rate'] },
      operator,
    );
    return { server, publishers, acme: acme.token, mallory: mallory.token };
  };
  const publish = (
    server: MarketplaceServer,
    archive: Buffer,
    token: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(new URL('api/v1/plugins', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: archive,
    });

  it('refuses an archive nested 300,000 levels deep with ARCHIVE_UNSAFE (422) at once, and keeps serving', async () => {
    const { server, publishers, acme, mallory } = await start();
    const path = `${'a/'.repeat(300_000)}f.js`;
    const archive = buildRawTgz([
      { name: 'plugin.json', data: '{}' },
      { name: 'filler.bin', data: randomBytes(1024 * 1024) },
      { name: 'PaxHeader/x', type: 'x', data: encodePaxRecords({ path }) },
      { name: 'f', data: 'x' },
    ]);
    const before = server.getCatalog();
    const auditBefore = await publishers.readAudit();
    const started = performance.now();
    expect(await errorOf(await publish(server, archive, mallory))).toEqual({
      status: 422,
      code: 'ARCHIVE_UNSAFE',
    });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(server.getCatalog()).toBe(before);
    expect(await publishers.readAudit()).toEqual(auditBefore);
    expect((await publish(server, await archiveOf('com.acme.after', '1.0.0'), acme)).status).toBe(201);
  });

  it('keeps one publisher from holding every upload slot with slow bodies: another publisher still publishes', async () => {
    const { server, publishers, acme, mallory } = await start({ maxConcurrentUploads: 4 });
    const url = new URL('api/v1/plugins', server.url);
    // Four of Mallory's uploads trickle in and take every slot.
    const archives = await Promise.all(
      [0, 1, 2, 3].map((index) => archiveOf(`com.mallory.s${index}`, '1.0.0')),
    );
    const slow = archives.map((archive) =>
      slowPost(
        url,
        { authorization: `Bearer ${mallory}`, 'content-length': archive.length },
        archive.subarray(0, 10),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A fifth of Mallory's own finds no slot: nobody else is waiting for one.
    expect(
      await errorOf(await publish(server, await archiveOf('com.mallory.more', '1.0.0'), mallory)),
    ).toEqual({
      status: 503,
      code: 'UNAVAILABLE',
    });
    // Acme gets a slot: Mallory's newest upload yields it, answered 503 with Retry-After.
    expect((await publish(server, await archiveOf('com.acme.tool', '1.0.0'), acme)).status).toBe(201);
    expect(await slow[3]?.answer).toEqual({ status: 503, code: 'UNAVAILABLE' });
    // Mallory's other three were not touched: they complete.
    for (const [index, upload] of slow.slice(0, 3).entries()) {
      upload.finish((archives[index] as Buffer).subarray(10));
      expect(await upload.answer).toEqual({ status: 201, code: 'none' });
    }
    expect(Object.keys(server.getCatalog().plugins).sort()).toEqual([
      'com.acme.tool',
      'com.mallory.s0',
      'com.mallory.s1',
      'com.mallory.s2',
    ]);
    const published = (await publishers.readAudit()).filter((entry) => entry.action === 'publish');
    expect(published.map((entry) => entry.subject).sort()).toEqual([
      'com.acme.tool@1.0.0',
      'com.mallory.s0@1.0.0',
      'com.mallory.s1@1.0.0',
      'com.mallory.s2@1.0.0',
    ]);
  });

  it('ends an upload that stalls with TIMEOUT, freeing its slot', async () => {
    const { server, acme, mallory } = await start({ maxConcurrentUploads: 1, uploadStallTimeoutMs: 1_000 });
    const url = new URL('api/v1/plugins', server.url);
    const stalled = slowPost(
      url,
      { authorization: `Bearer ${mallory}`, 'content-length': 4096 },
      Buffer.alloc(16),
    );
    const started = performance.now();
    expect(await stalled.answer).toEqual({ status: 504, code: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect((await publish(server, await archiveOf('com.acme.next', '1.0.0'), acme)).status).toBe(201);
  });

  it('does not let X-Forwarded-For or other proxy headers spread one address over many rate-limit buckets', async () => {
    const { server } = await start({ requestsPerMinutePerAddress: 6 });
    const statuses: number[] = [];
    for (let count = 0; count < 12; count += 1) {
      const spoofed = `203.0.113.${count}`;
      const response = await fetch(new URL('healthz', server.url), {
        headers: {
          'x-forwarded-for': spoofed,
          'x-real-ip': spoofed,
          forwarded: `for=${spoofed}`,
          'true-client-ip': spoofed,
        },
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses.slice(6).every((status) => status === 429)).toBe(true);
  });

  it('keeps namespaces apart whatever the spelling: look-alike, hyphenated, trailing-dot and upper-case ids are refused', async () => {
    const { server, publishers, acme, mallory } = await start();
    expect((await publish(server, await archiveOf('com.acme.tool', '1.0.0'), acme)).status).toBe(201);
    const before = server.getCatalog();
    const auditBefore = await publishers.readAudit();
    for (const pluginId of [
      'com.acme.tool',
      'com.acme',
      'com.acme.evil',
      'com.acme-evil.tool',
      'com.acmeevil',
    ]) {
      const answer = await errorOf(await publish(server, await archiveOf(pluginId, '2.0.0'), mallory));
      expect({ pluginId, ...answer }).toEqual({ pluginId, status: 403, code: 'FORBIDDEN' });
    }
    expect(server.getCatalog()).toBe(before);
    expect(await publishers.readAudit()).toEqual(auditBefore);
    // Ids that only look like acme's are not valid ids at all.
    for (const namespace of ['com.acme.', 'COM.ACME', 'com.\u0430cme', 'com..acme']) {
      await expect(publishers.grantNamespace('mallory', namespace, operator)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    // Yank, unyank, revoke and unrevoke of another's plugin: FORBIDDEN, nothing changed.
    for (const action of ['yank', 'unyank', 'revoke', 'unrevoke']) {
      const answer = await fetch(
        new URL(`api/v1/plugins/com.acme.tool/versions/1.0.0/${action}`, server.url),
        {
          method: 'POST',
          headers: { authorization: `Bearer ${mallory}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'mine now', severity: 'critical' }),
        },
      );
      expect({ action, ...(await errorOf(answer)) }).toEqual({ action, status: 403, code: 'FORBIDDEN' });
    }
    expect(server.getCatalog()).toBe(before);
  });

  it('counts one rating per account however many tokens it holds or how the body is spelled', async () => {
    const { server, publishers, acme, mallory } = await start();
    expect((await publish(server, await archiveOf('com.acme.rated', '1.0.0'), acme)).status).toBe(201);
    const extra = await Promise.all(
      Array.from({ length: 3 }, () => publishers.createToken('mallory', { scopes: ['rate'] }, operator)),
    );
    const rate = (token: string, body: string) =>
      fetch(new URL('api/v1/plugins/com.acme.rated/ratings', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
    for (const token of [mallory, ...extra.map((made) => made.token)]) {
      expect((await rate(token, '{"rating":1}')).status).toBe(200);
    }
    // A rating hidden under __proto__, or spelled twice, is not a second ballot.
    expect(await errorOf(await rate(mallory, '{"__proto__":{"rating":1}}'))).toEqual({
      status: 400,
      code: 'INVALID_ARGUMENT',
    });
    const answer = (await (await rate(acme, '{"rating":5}')).json()) as {
      rating_count: number;
      rating: number;
    };
    expect(answer).toMatchObject({ rating_count: 2, rating: 3 });
  });

  it('answers a body of JSON too deep or too large with 4xx and keeps serving', async () => {
    const { server, acme } = await start();
    expect((await publish(server, await archiveOf('com.acme.deep', '1.0.0'), acme)).status).toBe(201);
    const before = server.getCatalog();
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    const answer = await fetch(new URL('api/v1/plugins/com.acme.deep/ratings', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}` },
      body: deep,
    });
    expect(await errorOf(answer)).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    const large = await fetch(new URL('api/v1/plugins/com.acme.deep/versions/1.0.0/revoke', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}` },
      body: JSON.stringify({ reason: 'x'.repeat(20_000), severity: 'low' }),
    });
    expect(await errorOf(large)).toEqual({ status: 413, code: 'TOO_LARGE' });
    expect(server.getCatalog()).toBe(before);
    expect((await fetch(new URL('healthz', server.url))).status).toBe(200);
  });

  it('refuses a search query of thousands of matching words with INVALID_ARGUMENT (400) instead of holding the event loop', async () => {
    const { server, acme } = await start();
    expect((await publish(server, await archiveOf('com.acme.search', '1.0.0'), acme)).status).toBe(201);
    const search = (query: string) => fetch(new URL(`api/v1/search?${query}`, server.url));
    // Every word matches every plugin, so each one cost a pass over the whole catalog.
    const started = performance.now();
    expect(await errorOf(await search(`q=${Array.from({ length: 7_000 }, () => 'a').join('+')}`))).toEqual({
      status: 400,
      code: 'INVALID_ARGUMENT',
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`).join('+');
    expect(await errorOf(await search(`q=${words(17)}`))).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    expect(await errorOf(await search(`q=x&tags=${words(11).replaceAll('+', ',')}`))).toEqual({
      status: 400,
      code: 'INVALID_ARGUMENT',
    });
    // At the caps, and with a word repeated past them, a search answers.
    expect((await search(`q=${words(16)}`)).status).toBe(200);
    const repeated = (await (
      await search(`q=${Array.from({ length: 30 }, () => 'acme').join('+')}`)
    ).json()) as {
      results: { plugin_id: string }[];
    };
    expect(repeated.results.map((result) => result.plugin_id)).toEqual(['com.acme.search']);
    expect((await fetch(new URL('healthz', server.url))).status).toBe(200);
  });

  it('inspects uploads on the event loop one at a time when told, and every concurrent publish still lands', async () => {
    const { server, publishers, acme, mallory } = await start({ maxConcurrentInspections: 1 });
    const archives = await Promise.all([
      archiveOf('com.acme.q1', '1.0.0'),
      archiveOf('com.acme.q2', '1.0.0'),
      archiveOf('com.mallory.q3', '1.0.0'),
      archiveOf('com.mallory.q4', '1.0.0'),
    ]);
    const statuses = await Promise.all(
      archives.map(
        async (archive, index) => (await publish(server, archive, index < 2 ? acme : mallory)).status,
      ),
    );
    expect(statuses).toEqual([201, 201, 201, 201]);
    expect(Object.keys(server.getCatalog().plugins).sort()).toEqual([
      'com.acme.q1',
      'com.acme.q2',
      'com.mallory.q3',
      'com.mallory.q4',
    ]);
    expect((await publishers.readAudit()).filter((entry) => entry.action === 'publish')).toHaveLength(4);
  });

  it("refuses a version whose archive name is another publisher's (com.tools 1.2.3-4.0.0 is com.tools-1.2.3 4.0.0) with CONFLICT (409)", async () => {
    const { server, publishers, mallory } = await start();
    await publishers.addPublisher('victim', operator);
    await publishers.grantNamespace('victim', 'com.tools-1', operator);
    await publishers.grantNamespace('mallory', 'com.tools', operator);
    const victim = await publishers.createToken('victim', { scopes: ['publish'] }, operator);
    const genuine = await archiveOf('com.tools-1.2.3', '4.0.0');
    expect((await publish(server, genuine, victim.token)).status).toBe(201);
    const before = server.getCatalog();
    const auditBefore = await publishers.readAudit();
    expect(
      await errorOf(await publish(server, await archiveOf('com.tools', '1.2.3-4.0.0'), mallory)),
    ).toEqual({
      status: 409,
      code: 'CONFLICT',
    });
    expect(server.getCatalog()).toBe(before);
    expect(await publishers.readAudit()).toEqual(auditBefore);
    // The name still serves the victim's archive, the one its signed targets name.
    const download = await fetch(new URL('archives/com.tools-1.2.3-4.0.0.tgz', server.url));
    expect(Buffer.from(await download.arrayBuffer()).equals(genuine)).toBe(true);
    // Whoever comes first keeps the name: the other order is refused the same way.
    expect((await publish(server, await archiveOf('com.tools', '1.2.3-5.0.0'), mallory)).status).toBe(201);
    expect(
      await errorOf(await publish(server, await archiveOf('com.tools-1.2.3', '5.0.0'), victim.token)),
    ).toEqual({
      status: 409,
      code: 'CONFLICT',
    });
  });

  it('keeps the audit log to what happened: versions spelled with newlines or escapes are NOT_FOUND and write nothing; a publish-only token cannot yank, revoke or rate', async () => {
    const { server, publishers, acme } = await start();
    expect((await publish(server, await archiveOf('com.acme.audit', '1.0.0'), acme)).status).toBe(201);
    const before = server.getCatalog();
    const auditBefore = await publishers.readAudit();
    const post = (path: string, token: string, body?: unknown) =>
      fetch(new URL(path, server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    for (const version of [
      '1.0.0%0A%5Bforged%5D%20operator%20granted%20com.acme',
      '1.0.0%1B%5B2J',
      '1.0.0%00',
    ]) {
      for (const action of ['yank', 'unyank', 'revoke']) {
        const answer = await post(`api/v1/plugins/com.acme.audit/versions/${version}/${action}`, acme, {
          reason: 'bad',
          severity: 'low',
        });
        expect({ action, version, ...(await errorOf(answer)) }).toEqual({
          action,
          version,
          status: 404,
          code: 'NOT_FOUND',
        });
      }
    }
    const publishOnly = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
    const afterToken = await publishers.readAudit();
    for (const path of [
      'api/v1/plugins/com.acme.audit/versions/1.0.0/yank',
      'api/v1/plugins/com.acme.audit/versions/1.0.0/revoke',
      'api/v1/plugins/com.acme.audit/ratings',
    ]) {
      const answer = await post(path, publishOnly.token, { reason: 'r', severity: 'low', rating: 5 });
      expect({ path, ...(await errorOf(answer)) }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    }
    expect(server.getCatalog()).toBe(before);
    expect(afterToken.slice(1)).toEqual(auditBefore);
    expect(await publishers.readAudit()).toEqual(afterToken);
    for (const entry of afterToken) {
      for (const field of [entry.actor, entry.action, entry.subject, entry.address])
        expect(field).toMatch(/^[\x20-\x7e]*$/);
    }
  });
});
