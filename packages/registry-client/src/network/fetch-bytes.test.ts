import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/hostile-server';
import { fetchBytes, type NetworkOptions } from './fetch-bytes';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const network: NetworkOptions = {
  fetch,
  requestTimeoutMs: 400,
  stallTimeoutMs: 200,
  totalTimeoutMs: 10_000,
  retries: 0,
  retryDelayMs: 5,
};

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer((request, response) => {
    if (request.url === '/stalled') {
      response.writeHead(200, { 'content-length': 5000 });
      response.write(Buffer.alloc(100));
      return true;
    }
    return false;
  });
});

afterAll(() => server.close());

describe('fetchBytes', () => {
  it('times out a stalled body even after a garbage collection drops the fetch internals', async () => {
    const chunks: number[] = [];
    const download = fetchBytes(`${server.url}stalled`, network, {
      maxBytes: 10_000,
      onChunk: (_chunk, received) => {
        chunks.push(received);
        collectGarbage();
      },
    }).catch((error: unknown) => error);
    const started = Date.now();
    const error = await download;
    expect(chunks).toEqual([100]);
    expect(PluginError.is(error, 'TIMEOUT') ? error.details : error).toMatchObject({ receivedBytes: 100 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers NOT_FOUND for a 404 without retrying', async () => {
    const before = server.requests.length;
    const error = await fetchBytes(
      `${server.url}missing`,
      { ...network, retries: 2 },
      { maxBytes: 10 },
    ).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'NOT_FOUND')).toBe(true);
    expect(server.requests.length - before).toBe(1);
  });
});
