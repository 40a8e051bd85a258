import { request as httpRequest } from 'node:http';
import { PluginError } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import {
  createMarketplaceServer,
  type MarketplaceServer,
  type MarketplaceServerOptions,
} from '../src/create-marketplace-server';
import type { Actor } from '../src/publishers/publisher-directory';
import { pgliteEngine, postgresEngine, type StoreEngine } from './helpers/store-engines';

const keys = generateSigningKeyPair();
const operator: Actor = { name: 'operator', address: 'test' };

async function archiveOf(pluginId: string, version: string): Promise<Buffer> {
  const root = await createTemporaryFolder();
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }))).archive;
}

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code ?? 'none' };
}

for (const engine of [pgliteEngine(), postgresEngine()] as StoreEngine[]) {
  describe(`publishers, namespaces and tokens on ${engine.name}`, { timeout: 180_000 }, () => {
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
      return { server, publishers, sql };
    };
    const publish = (server: MarketplaceServer, archive: Buffer, token?: string) =>
      fetch(new URL('api/v1/plugins', server.url), {
        method: 'POST',
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        body: archive,
      });
    const yank = (server: MarketplaceServer, pluginId: string, version: string, token: string) =>
      fetch(new URL(`api/v1/plugins/${pluginId}/versions/${version}/yank`, server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });

    it('publishes only inside the namespaces a publisher owns: FORBIDDEN (403) elsewhere, with nothing changed', async () => {
      const { server, publishers } = await start();
      await publishers.addPublisher('acme', operator);
      await publishers.addPublisher('globex', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      await publishers.grantNamespace('globex', 'com.globex', operator);
      const acme = await publishers.createToken('acme', { scopes: ['publish', 'yank'] }, operator);
      const globex = await publishers.createToken('globex', { scopes: ['publish', 'yank'] }, operator);

      expect((await publish(server, await archiveOf('com.acme.tool', '1.0.0'), acme.token)).status).toBe(201);
      // The namespace itself is covered as well as what is under it.
      expect((await publish(server, await archiveOf('com.acme', '1.0.0'), acme.token)).status).toBe(201);
      const before = server.getCatalog();
      const auditBefore = await publishers.readAudit();
      for (const pluginId of ['com.globex.tool', 'com.acmeish.tool', 'org.other.tool']) {
        expect(await errorOf(await publish(server, await archiveOf(pluginId, '1.0.0'), acme.token))).toEqual({
          status: 403,
          code: 'FORBIDDEN',
        });
      }
      expect(server.getCatalog()).toBe(before);
      expect(Object.keys(server.getCatalog().plugins).sort()).toEqual(['com.acme', 'com.acme.tool']);
      const archives = await fetch(new URL('archives/com.globex.tool-1.0.0.tgz', server.url));
      expect(archives.status).toBe(404);
      expect(await publishers.readAudit()).toEqual(auditBefore);

      // Yanks follow the same rule.
      expect(await errorOf(await yank(server, 'com.acme.tool', '1.0.0', globex.token))).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(server.getCatalog().plugins['com.acme.tool']?.versions['1.0.0']?.yanked).toBe(false);
      expect((await yank(server, 'com.acme.tool', '1.0.0', acme.token)).status).toBe(200);
      expect(server.getCatalog().plugins['com.acme.tool']?.versions['1.0.0']?.yanked).toBe(true);

      const audit = await publishers.readAudit();
      expect(audit.slice(0, 3).map((entry) => [entry.actor, entry.action, entry.subject])).toEqual([
        ['publisher:acme', 'yank', 'com.acme.tool@1.0.0'],
        ['publisher:acme', 'publish', 'com.acme@1.0.0'],
        ['publisher:acme', 'publish', 'com.acme.tool@1.0.0'],
      ]);
      expect(audit[0]?.address).toMatch(/127\.0\.0\.1/);
      expect(audit.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(['publisher.add', 'namespace.grant', 'token.create']),
      );
    });

    it('refuses missing, malformed, unknown, wrong, revoked and expired tokens with UNAUTHORIZED (401), and a token without the scope with FORBIDDEN (403)', async () => {
      const { server, publishers } = await start();
      await publishers.addPublisher('acme', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const good = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      const revoked = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      await publishers.revokeToken(revoked.id, operator);
      const expiring = await publishers.createToken(
        'acme',
        { scopes: ['publish'], expiresAt: new Date(Date.now() + 1500) },
        operator,
      );
      const yankOnly = await publishers.createToken('acme', { scopes: ['yank'] }, operator);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const archive = await archiveOf('com.acme.tool', '1.0.0');
      const before = server.getCatalog();
      const wrongSecret = `${good.token.slice(0, -4)}AAAA`;
      const unknownId = `agp_0000000000000000_${good.token.split('_')[2] ?? ''}`;
      for (const token of [
        undefined,
        '',
        'nonsense',
        `${good.token}x`,
        'x'.repeat(5000),
        wrongSecret,
        unknownId,
        revoked.token,
        expiring.token,
      ]) {
        const response = await publish(server, archive, token);
        expect(await errorOf(response), String(token).slice(0, 40)).toEqual({
          status: 401,
          code: 'UNAUTHORIZED',
        });
      }
      expect(await errorOf(await publish(server, archive, yankOnly.token))).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(server.getCatalog()).toBe(before);
      expect((await publish(server, archive, good.token)).status).toBe(201);
    });

    it('needs a token to rate and counts one rating per account and plugin', async () => {
      const { server, publishers } = await start();
      await publishers.addPublisher('acme', operator);
      await publishers.addPublisher('reader', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const acme = await publishers.createToken('acme', { scopes: ['publish', 'rate'] }, operator);
      const reader = await publishers.createToken('reader', { scopes: ['rate'] }, operator);
      await publish(server, await archiveOf('com.acme.rated', '1.0.0'), acme.token);
      const rate = (rating: number, token?: string) =>
        fetch(new URL('api/v1/plugins/com.acme.rated/ratings', server.url), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify({ rating }),
        });
      expect(await errorOf(await rate(5))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      for (let round = 0; round < 3; round += 1) expect((await rate(5, reader.token)).status).toBe(200);
      expect(await (await rate(2, acme.token)).json()).toMatchObject({ rating: 3.5, rating_count: 2 });
      expect(await errorOf(await rate(9, reader.token))).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    });

    it('grants namespaces to one publisher only: overlaps are CONFLICT, bad names INVALID_ARGUMENT, unknown publishers NOT_FOUND; a revoked namespace refuses publishes', async () => {
      const { server, publishers } = await start();
      await publishers.addPublisher('acme', operator);
      await publishers.addPublisher('globex', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const codeOf = (promise: Promise<unknown>) =>
        promise.then(
          () => 'resolved',
          (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
        );
      expect(await codeOf(publishers.addPublisher('acme', operator))).toBe('CONFLICT');
      expect(await codeOf(publishers.addPublisher('Not A Name', operator))).toBe('INVALID_ARGUMENT');
      for (const namespace of ['com.acme', 'com.acme.tools', 'com']) {
        expect(await codeOf(publishers.grantNamespace('globex', namespace, operator)), namespace).toBe(
          namespace === 'com' ? 'INVALID_ARGUMENT' : 'CONFLICT',
        );
      }
      for (const namespace of [
        'com..acme',
        'COM.ACME',
        `com.${'a'.repeat(200)}`,
        "com.acme'; drop table x;--",
      ]) {
        expect(await codeOf(publishers.grantNamespace('globex', namespace, operator))).toBe(
          'INVALID_ARGUMENT',
        );
      }
      expect(await codeOf(publishers.grantNamespace('nobody', 'org.nobody', operator))).toBe('NOT_FOUND');
      expect(await codeOf(publishers.createToken('acme', { scopes: ['admin' as never] }, operator))).toBe(
        'INVALID_ARGUMENT',
      );
      expect(await codeOf(publishers.revokeToken('0000000000000000', operator))).toBe('NOT_FOUND');
      expect((await publishers.listPublishers()).map((entry) => [entry.name, entry.namespaces])).toEqual([
        ['acme', ['com.acme']],
        ['globex', []],
      ]);
      const token = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      await publishers.revokeNamespace('acme', 'com.acme', operator);
      expect(await codeOf(publishers.revokeNamespace('acme', 'com.acme', operator))).toBe('NOT_FOUND');
      expect(
        await errorOf(await publish(server, await archiveOf('com.acme.tool', '1.0.0'), token.token)),
      ).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      // Now the other publisher may take it.
      await publishers.grantNamespace('globex', 'com.acme.tools', operator);
    });

    it('keeps the audit log append-only: the database refuses to change or delete an entry', async () => {
      const { publishers, sql } = await start();
      await publishers.addPublisher('acme', operator);
      const entries = await publishers.readAudit();
      for (const statement of [
        `update "${sql.schema}".audit_log set actor = 'someone else'`,
        `delete from "${sql.schema}".audit_log`,
      ]) {
        await expect(sql.database.query(statement)).rejects.toThrowError(/append-only/);
      }
      expect(await publishers.readAudit()).toEqual(entries);
    });

    it('limits requests per token and per address with RATE_LIMITED (429) and Retry-After', async () => {
      const { server, publishers } = await start({
        writesPerMinutePerToken: 2,
        requestsPerMinutePerAddress: 12,
      });
      await publishers.addPublisher('acme', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const token = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      expect((await publish(server, await archiveOf('com.acme.a', '1.0.0'), token.token)).status).toBe(201);
      expect((await publish(server, await archiveOf('com.acme.b', '1.0.0'), token.token)).status).toBe(201);
      const before = server.getCatalog();
      const limited = await publish(server, await archiveOf('com.acme.c', '1.0.0'), token.token);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await errorOf(limited)).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(server.getCatalog()).toBe(before);
      const statuses: number[] = [];
      for (let count = 0; count < 12; count += 1)
        statuses.push((await fetch(new URL('healthz', server.url))).status);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
      expect(statuses[0]).toBe(200);
    });

    it('caps uploads: a body over the cap is TOO_LARGE (413) while it streams, one upload too many is UNAVAILABLE (503), nothing changes', async () => {
      const { server, publishers } = await start({ maxUploadBytes: 64 * 1024, maxConcurrentUploads: 1 });
      await publishers.addPublisher('acme', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const token = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      const before = server.getCatalog();
      const url = new URL('api/v1/plugins', server.url);
      // A slow upload holds the only slot while a second one arrives.
      const slow = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${token.token}` } });
      const slowAnswer = new Promise<number>((resolve) =>
        slow.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }),
      );
      slow.on('error', () => undefined);
      slow.write(Buffer.alloc(1024));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await publish(server, await archiveOf('com.acme.b', '1.0.0'), token.token);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(await errorOf(second)).toEqual({ status: 503, code: 'UNAVAILABLE' });
      // The slow one goes over the cap without ever declaring a length.
      slow.end(Buffer.alloc(128 * 1024));
      expect(await slowAnswer).toBe(413);
      expect(server.getCatalog()).toBe(before);
    });

    it('lists concurrent publishes in shared rounds (inspected in worker threads): /metrics counts the round sizes, every accepted one is audited, a refused one in a round changes nothing', async () => {
      // Inspected by two worker threads, as a server with cores to spare would be.
      const { server, publishers } = await start({ maxConcurrentUploads: 32, inspectionWorkers: 2 });
      await publishers.addPublisher('rounds', operator);
      await publishers.grantNamespace('rounds', 'com.rounds', operator);
      const { token } = await publishers.createToken('rounds', { scopes: ['publish'] }, operator);
      const ids = [
        ...Array.from({ length: 12 }, (_, index) => `com.rounds.p${index}`),
        'com.elsewhere.a',
        'com.elsewhere.b',
      ];
      const archives = await Promise.all(ids.map((pluginId) => archiveOf(pluginId, '1.0.0')));
      const statuses = await Promise.all(
        archives.map(async (archive) => (await publish(server, archive, token)).status),
      );
      expect(statuses).toEqual(ids.map((pluginId) => (pluginId.startsWith('com.rounds.') ? 201 : 403)));
      const metrics = await (await fetch(new URL('metrics', server.url))).text();
      const value = (name: string): number =>
        Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
      expect(metrics).toContain('# TYPE agentplug_marketplace_publish_round_size histogram');
      // Refused ones were checked in a round too.
      expect(value('agentplug_marketplace_publish_round_size_sum')).toBe(14);
      const rounds = value('agentplug_marketplace_publish_round_size_count');
      expect(rounds).toBeGreaterThanOrEqual(1);
      // Fourteen uploads at once do not each wait for a round of their own behind one another.
      expect(rounds).toBeLessThan(14);
      expect(metrics).toContain(`agentplug_marketplace_publish_round_size_bucket{le="+Inf"} ${rounds}`);
      expect(Object.keys(server.getCatalog().plugins).sort()).toEqual(ids.slice(0, 12).sort());
      // A worker's refusal keeps its code, and changes nothing.
      const before = server.getCatalog();
      expect(await errorOf(await publish(server, Buffer.from('not a gzip stream'), token))).toEqual({
        status: 422,
        code: 'ARCHIVE_UNSAFE',
      });
      expect(server.getCatalog()).toBe(before);
      const published = (await publishers.readAudit())
        .filter((entry) => entry.action === 'publish')
        .map((entry) => [entry.actor, entry.subject]);
      expect(published.sort()).toEqual(
        ids
          .slice(0, 12)
          .map((pluginId) => ['publisher:rounds', `${pluginId}@1.0.0`])
          .sort(),
      );
    });

    it('answers /healthz, /readyz and /metrics (Prometheus text), and refuses oversized headers with 431', async () => {
      const { server } = await start();
      expect(await (await fetch(new URL('healthz', server.url))).json()).toEqual({ status: 'ok' });
      const ready = await fetch(new URL('readyz', server.url));
      expect(ready.status).toBe(200);
      expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(new URL('api/v1/plugins/com.none.x', server.url));
      const metrics = await (await fetch(new URL('metrics', server.url))).text();
      expect(metrics).toContain('# TYPE agentplug_marketplace_requests_total counter');
      expect(metrics).toMatch(
        /agentplug_marketplace_requests_total\{method="GET",route="\/readyz",status="200"\} 1/,
      );
      expect(metrics).toMatch(/agentplug_marketplace_refusals_total\{code="NOT_FOUND"\} 1/);
      expect(metrics).toMatch(
        /agentplug_marketplace_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 1/,
      );
      expect(metrics).toContain(`agentplug_marketplace_snapshot_version ${server.getCatalog().version}`);
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(new URL('healthz', server.url), {
          headers: { 'x-big': 'x'.repeat(20_000) },
        });
        request.on('response', (response) => resolve(response.statusCode ?? 0));
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(431);
    });

    it('finishes an in-flight publish on close, refusing new requests meanwhile', async () => {
      const { server, publishers } = await start();
      await publishers.addPublisher('acme', operator);
      await publishers.grantNamespace('acme', 'com.acme', operator);
      const token = await publishers.createToken('acme', { scopes: ['publish'] }, operator);
      const archive = await archiveOf('com.acme.late', '1.0.0');
      const request = httpRequest(new URL('api/v1/plugins', server.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token.token}`, 'content-length': archive.length },
      });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        request.on('response', (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
      });
      request.write(archive.subarray(0, 100));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = server.close();
      request.end(archive.subarray(100));
      const finished = await answer;
      expect(finished.status).toBe(201);
      expect(JSON.parse(finished.body)).toMatchObject({ plugin_id: 'com.acme.late' });
      await closing;
      expect(server.getCatalog().plugins['com.acme.late']).toBeDefined();
    });
  });
}
