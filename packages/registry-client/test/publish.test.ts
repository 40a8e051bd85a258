import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchFunction, publishArchive, yankVersion } from '../src/index';
import { sendBytes, sendEndlessBody, startTestServer, type TestServer } from './helpers/hostile-server';

let server: TestServer;
const archive = Buffer.from('not really an archive');
const answer = {
  plugin_id: 'com.example.published',
  version: '1.0.0',
  sha256: 'a'.repeat(64),
  size: 21,
  security_score: 95,
  risk_level: 'low',
};

beforeAll(async () => {
  server = await startTestServer(() => false);
});

afterAll(() => server.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

/** Reaches the loopback test server under another host name, as a remote marketplace would be reached. */
function through(host: string): FetchFunction {
  return (input, init) => fetch(input.replace(host, new URL(server.url).host), init);
}

describe('publishArchive answers', () => {
  it('returns a checked answer, and refuses HTML, endless or malformed answers with NETWORK_ERROR', async () => {
    const options = { marketplaceUrl: server.url, token: 'secret', timeoutMs: 5_000 };
    server.setRoute((_request, response) => sendBytes(response, JSON.stringify(answer), 'application/json'));
    expect(await publishArchive(archive, options)).toEqual(answer);
    const hostile: ((response: import('node:http').ServerResponse) => true)[] = [
      (response) => sendBytes(response, '<html><body>Welcome to nginx</body></html>', 'text/html'),
      (response) => sendEndlessBody(response, 'application/json', Buffer.alloc(64 * 1024, 0x20)),
      (response) => sendBytes(response, '{"__proto__":{"plugin_id":"com.example.x"}}', 'application/json'),
      (response) =>
        sendBytes(response, JSON.stringify({ ...answer, plugin_id: '../../x' }), 'application/json'),
      (response) => sendBytes(response, JSON.stringify({ ...answer, sha256: 'nope' }), 'application/json'),
      (response) => sendBytes(response, '['.repeat(200_000), 'application/json'),
    ];
    for (const send of hostile) {
      server.setRoute((_request, response) => send(response));
      expect(await codeOf(publishArchive(archive, options))).toBe('NETWORK_ERROR');
    }
  });

  it("keeps the server's error code and makes its message safe to print", async () => {
    server.setRoute((_request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: { code: 'VALIDATION_FAILED', message: 'bad \u001b[31mred\u001b[0m plugin', details: {} },
        }),
      );
      return true;
    });
    const error = await publishArchive(archive, { marketplaceUrl: server.url, token: 'secret' }).catch(
      (caught: unknown) => caught,
    );
    expect(PluginError.is(error, 'VALIDATION_FAILED') && error.message).toBe(
      'bad \\u001b[31mred\\u001b[0m plugin',
    );
    server.setRoute((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end('<h1>oops</h1>');
      return true;
    });
    expect(await codeOf(publishArchive(archive, { marketplaceUrl: server.url, token: 'secret' }))).toBe(
      'NETWORK_ERROR',
    );
  });
});

describe('the publish token over plain HTTP', () => {
  it('warns before sending it to a host that is not this machine, and refuses with requireTls', async () => {
    const remote = '10.20.30.40:8080';
    const warnings: string[] = [];
    server.setRoute((_request, response) => sendBytes(response, JSON.stringify(answer), 'application/json'));
    const seen = server.requests.length;
    expect(
      await codeOf(
        publishArchive(archive, {
          marketplaceUrl: `http://${remote}/`,
          token: 'secret',
          fetch: through(remote),
          requireTls: true,
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(
      await codeOf(
        yankVersion('com.example.published', '1.0.0', {
          marketplaceUrl: `http://${remote}/`,
          token: 'secret',
          fetch: through(remote),
          requireTls: true,
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(server.requests.length).toBe(seen);
    await publishArchive(archive, {
      marketplaceUrl: `http://${remote}/`,
      token: 'secret',
      fetch: through(remote),
      onInsecureTransport: (message) => warnings.push(message),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unencrypted');
    for (const loopback of [server.url, server.url.replace('127.0.0.1', 'localhost')]) {
      await publishArchive(archive, {
        marketplaceUrl: loopback,
        token: 'secret',
        requireTls: true,
        onInsecureTransport: (message) => warnings.push(message),
      });
    }
    expect(warnings).toHaveLength(1);
  });
});
