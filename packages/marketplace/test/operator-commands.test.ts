import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginError } from '@agentplug/models';
import { packPlugin, publishArchive } from '@agentplug/registry-client';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { runCaptured as run } from './helpers/run-captured';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('the operator commands on the embedded database', () => {
  it('add a publisher, grant a namespace, make a token the served marketplace accepts, refuse while a server holds the database, and print the audit log', async () => {
    const root = await createTemporaryFolder();
    const store = join(root, 'store');
    const at = ['--store', store];
    expect(await run(['publisher', 'add', 'acme', ...at])).toMatchObject({
      exitCode: 0,
      stdout: 'publisher acme added\n',
    });
    expect((await run(['publisher', 'grant', 'acme', 'com.acme', ...at])).exitCode).toBe(0);
    const created = await run([
      'publisher',
      'token',
      'create',
      'acme',
      '--scope',
      'publish,yank',
      '--expires-in-days',
      '30',
      ...at,
    ]);
    expect(created.exitCode).toBe(0);
    const { id, token } = JSON.parse(created.stdout) as { id: string; token: string };
    expect(token).toMatch(/^agp_[0-9a-f]{16}_/);

    // Bad input: usage errors (exit 2) with the code, and nothing written.
    for (const argv of [
      ['publisher', 'grant', 'acme', 'not a namespace'],
      ['publisher', 'add', 'Bad Name'],
      ['publisher', 'token', 'create', 'acme', '--scope', 'admin'],
      ['publisher', 'token', 'create', 'acme', '--scope', 'publish', '--expires-in-days', '-1'],
      ['audit', '--limit', '0'],
    ]) {
      const result = await run([...argv, ...at]);
      expect(result.exitCode, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain('[INVALID_ARGUMENT]');
    }
    const missing = await run(['publisher', 'grant', 'nobody', 'org.nobody', ...at]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('[NOT_FOUND]');
    const listed = JSON.parse((await run(['publisher', 'list', ...at])).stdout) as {
      name: string;
      namespaces: string[];
      tokens: { id: string; scopes: string[] }[];
    }[];
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'acme',
        namespaces: ['com.acme'],
        tokens: [expect.objectContaining({ id, scopes: ['publish', 'yank'] })],
      }),
    ]);
    // snake_case keys, as every agentplug JSON output.
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['created_at', 'name', 'namespaces', 'tokens']);
    expect(Object.keys(listed[0]?.tokens[0] ?? {}).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'note',
      'revoked_at',
      'scopes',
    ]);
    // Only the hash is kept: the listing never shows the secret.
    expect(JSON.stringify(listed)).not.toContain(token.slice(22));

    const child = spawn(
      process.execPath,
      [
        '--conditions=@agentplug/source',
        '--import',
        'tsx',
        cliPath,
        'serve',
        '--store',
        store,
        '--port',
        '0',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let logs = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      logs += chunk;
    });
    try {
      const started = await new Promise<{ url: string }>((resolve, reject) => {
        let buffered = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk;
          if (buffered.includes('\n')) resolve(JSON.parse(buffered.split('\n')[0] ?? '') as { url: string });
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${logs}`)));
      });
      const pack = async (pluginId: string) =>
        (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version: '1.0.0' }))).archive;
      expect(
        await publishArchive(await pack('com.acme.tool'), { marketplaceUrl: started.url, token }),
      ).toMatchObject({
        plugin_id: 'com.acme.tool',
      });
      const refused = await publishArchive(await pack('com.other.tool'), {
        marketplaceUrl: started.url,
        token,
      }).catch((error: unknown) => error);
      expect(PluginError.is(refused) ? refused.code : refused).toBe('FORBIDDEN');
      // One process at a time on the embedded database.
      const busy = await run(['publisher', 'add', 'other', ...at]);
      expect(busy.exitCode).toBe(1);
      expect(busy.stderr).toContain('[UNAVAILABLE]');
      // Each request was logged as one JSON line with its request id. The line is written when the
      // response has gone, so it can reach this end of the pipe after the client has its answer.
      const deadline = Date.now() + 30_000;
      while (!logs.includes('"status":403') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const lines = logs
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(
          (line) => JSON.parse(line) as { route: string; status: number; requestId: string; code?: string },
        );
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ route: '/api/v1/plugins', status: 201 }),
          expect.objectContaining({ route: '/api/v1/plugins', status: 403, code: 'FORBIDDEN' }),
        ]),
      );
      expect(lines.every((line) => line.requestId.length > 0)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const audit = (await run(['audit', ...at])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { actor: string; action: string; subject: string });
    expect(Object.keys(audit[0] ?? {}).sort()).toEqual([
      'action',
      'actor',
      'address',
      'at',
      'details',
      'id',
      'subject',
    ]);
    expect(audit.map((entry) => `${entry.actor} ${entry.action} ${entry.subject}`)).toEqual([
      'publisher:acme publish com.acme.tool@1.0.0',
      `operator token.create ${id}`,
      'operator namespace.grant com.acme',
      'operator publisher.add acme',
    ]);

    // Removals ask first: with no terminal and no --yes they exit 6 and change nothing.
    const listTokens = async () =>
      (
        JSON.parse((await run(['publisher', 'list', ...at])).stdout) as {
          namespaces: string[];
          tokens: { id: string; revoked_at: string | null }[];
        }[]
      )[0];
    const declinedToken = await run(['publisher', 'token', 'revoke', id, ...at]);
    expect(declinedToken.exitCode).toBe(6);
    expect(declinedToken.stderr).toMatch(
      /revoke token .* was not confirmed .*--yes.*nothing was changed \[DECLINED\]/,
    );
    const declinedNamespace = await run(['publisher', 'revoke', 'acme', 'com.acme', ...at]);
    expect(declinedNamespace.exitCode).toBe(6);
    expect(await listTokens()).toMatchObject({
      namespaces: ['com.acme'],
      tokens: [{ id, revoked_at: null }],
    });
    expect((await run(['publisher', 'token', 'revoke', id, '--yes', ...at])).exitCode).toBe(0);
    expect((await run(['publisher', 'revoke', 'acme', 'com.acme', '-y', ...at])).exitCode).toBe(0);
    const after = await listTokens();
    expect(after?.namespaces).toEqual([]);
    expect(after?.tokens[0]?.revoked_at).toEqual(expect.any(String));
  }, 300_000);
});
