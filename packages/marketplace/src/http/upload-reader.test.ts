import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { createUploadReader, type UploadReader, type UploadReaderOptions } from './upload-reader';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the reader answered for one request: the bytes, or the refusal's code. */
type Outcome = { bytes: Buffer } | { code: string };

// A real server whose every request is read by one upload reader; `outcomes` fill as requests end.
async function start(options: Partial<UploadReaderOptions> = {}): Promise<{
  url: string;
  reader: UploadReader;
  spool: string;
  outcomes: Outcome[];
}> {
  const spool = join(await mkdtemp(join(tmpdir(), 'agentplug-upload-test-')), 'spool');
  cleanups.push(() => rm(join(spool, '..'), { recursive: true, force: true }));
  const reader = createUploadReader({
    maxBytes: 1024 * 1024,
    maxConcurrent: 4,
    spoolDirectory: spool,
    ...options,
  });
  const outcomes: Outcome[] = [];
  const server: Server = createServer((request, response) => {
    reader.read(request, 'tester').then(
      (bytes) => {
        outcomes.push({ bytes });
        response.end('ok');
      },
      (error: unknown) => {
        outcomes.push({ code: PluginError.is(error) ? error.code : String(error) });
        request.resume();
        response.statusCode = 400;
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, reader, spool, outcomes };
}

// Sends `chunks` one write at a time, with no declared length (chunked), and waits for the answer.
function send(url: string, chunks: readonly Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { method: 'POST' }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', () => resolve(0));
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

async function spoolFiles(spool: string): Promise<string[]> {
  return readdir(spool).catch(() => []);
}

// Names created in the spool folder while `work` runs (a file spooled and removed shows here too).
async function spoolCreations(spool: string, work: () => Promise<unknown>): Promise<string[]> {
  await mkdir(spool, { recursive: true });
  const names: string[] = [];
  const watcher = watch(spool, (_event, name) => {
    if (name !== null) names.push(String(name));
  });
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  return names;
}

describe('createUploadReader', () => {
  it('holds a small upload in memory: the same bytes, and no spool file is ever made', async () => {
    const { url, spool, outcomes } = await start({ memoryBytes: 64 * 1024 });
    const parts = [randomBytes(1000), randomBytes(20_000), randomBytes(3)];
    const created = await spoolCreations(spool, async () => expect(await send(url, parts)).toBe(200));
    expect(outcomes).toEqual([{ bytes: Buffer.concat(parts) }]);
    expect(created).toEqual([]);
  });

  it('spills an upload past memoryBytes to a spool file and hands back the same bytes, the file removed', async () => {
    const { url, spool, outcomes } = await start({ memoryBytes: 16 * 1024 });
    const parts = Array.from({ length: 12 }, () => randomBytes(10_000));
    const created = await spoolCreations(spool, async () => expect(await send(url, parts)).toBe(200));
    expect(outcomes).toEqual([{ bytes: Buffer.concat(parts) }]);
    expect(created.some((name) => name.startsWith('upload-'))).toBe(true);
    expect(await spoolFiles(spool)).toEqual([]);
  });

  it('refuses an upload past maxBytes while it streams, held in memory or spooled, leaving no file', async () => {
    const inMemory = await start({ maxBytes: 50_000, memoryBytes: 1024 * 1024 });
    expect(await send(inMemory.url, [randomBytes(30_000), randomBytes(30_000)])).toBe(400);
    expect(inMemory.outcomes).toEqual([{ code: 'TOO_LARGE' }]);
    const spooled = await start({ maxBytes: 50_000, memoryBytes: 8 * 1024 });
    expect(await send(spooled.url, [randomBytes(30_000), randomBytes(30_000)])).toBe(400);
    expect(spooled.outcomes).toEqual([{ code: 'TOO_LARGE' }]);
    expect(await spoolFiles(spooled.spool)).toEqual([]);
    expect(spooled.reader.active).toBe(0);
  });

  it('refuses a declared length past maxBytes before reading, and one upload past maxConcurrent', async () => {
    const { url, reader, outcomes } = await start({ maxBytes: 1000, maxConcurrent: 1 });
    const declared = await new Promise<number>((resolve) => {
      const request = httpRequest(
        url,
        { method: 'POST', headers: { 'content-length': '5000' } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', () => resolve(0));
      request.end(Buffer.alloc(5000));
    });
    expect(declared).toBe(400);
    expect(outcomes).toEqual([{ code: 'TOO_LARGE' }]);
    // A slow upload holds the only slot while a second arrives.
    const slow = httpRequest(url, { method: 'POST' });
    slow.on('error', () => undefined);
    const slowAnswer = new Promise<number>((resolve) =>
      slow.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }),
    );
    slow.write(Buffer.alloc(10));
    while (reader.active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await send(url, [Buffer.alloc(10)])).toBe(400);
    expect(outcomes[1]).toEqual({ code: 'UNAVAILABLE' });
    slow.end(Buffer.alloc(10));
    expect(await slowAnswer).toBe(200);
    expect(outcomes[2]).toEqual({ bytes: Buffer.alloc(20) });
    expect(reader.active).toBe(0);
  });
});
