import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import type { SignedIndexBody } from '../protocol/marketplace-index';
import { acquireLock } from './install-lock';
import { isProcessAlive } from './owner-process';
import { writeFileAtomic } from './write-file-atomic';

/** The file in the cache directory that records, per marketplace URL, the last index version accepted. */
export const INDEX_STATE_FILE_NAME = 'index-state.json';

interface SeenIndex {
  version: number;
  sha256: string;
}

function unreadable(statePath: string, problem: string, cause?: unknown): PluginError {
  return new PluginError(
    'ROLLBACK_DETECTED',
    `cannot read the last-seen index versions in ${statePath} (${problem}); delete it only if you trust the marketplace`,
    { cause, details: { path: statePath } },
  );
}

/** The recorded versions by marketplace URL; refuses a record it cannot read rather than forget it. */
async function readIndexState(statePath: string): Promise<Map<string, SeenIndex>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(statePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw unreadable(statePath, 'unreadable', error);
  }
  const document = parseUntrustedJson(bytes, {
    code: 'ROLLBACK_DETECTED',
    what: statePath,
    maxBytes: 4 * 1024 * 1024,
  });
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw unreadable(statePath, 'not an object');
  }
  const state = new Map<string, SeenIndex>();
  for (const [url, seen] of Object.entries(document)) {
    const { version, sha256 } = (seen ?? {}) as Record<string, unknown>;
    if (
      typeof version !== 'number' ||
      !Number.isSafeInteger(version) ||
      version < 0 ||
      typeof sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(sha256)
    ) {
      throw unreadable(statePath, `the entry of ${JSON.stringify(url.slice(0, 200))} is malformed`);
    }
    state.set(url, { version, sha256 });
  }
  return state;
}

/**
 * Refuses an index older than the last one accepted from `marketplaceUrl`, or the same version with
 * other content (ROLLBACK_DETECTED), then records this one as the last seen.
 * @throws PluginError ROLLBACK_DETECTED (also: the record is unreadable), INTERNAL (the record cannot be written)
 */
export async function checkRollback(
  cacheDirectory: string,
  marketplaceUrl: string,
  verified: { body: SignedIndexBody; sha256: string },
): Promise<void> {
  const statePath = join(cacheDirectory, INDEX_STATE_FILE_NAME);
  await mkdir(cacheDirectory, { recursive: true }).catch(() => undefined);
  // Several processes share one cache: the read, the check and the write happen under one lock.
  const release = await acquireLock(join(cacheDirectory, 'locks'), 'index-state', { waitMs: 10_000 });
  try {
    // A kill during the atomic write leaves its temporary copy; the lock says no live writer is left.
    for (const name of await readdir(cacheDirectory)) {
      if (name.startsWith(`${INDEX_STATE_FILE_NAME}.`) && name.endsWith('.tmp')) {
        const pid = Number(name.split('.').at(-3));
        if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) {
          await rm(join(cacheDirectory, name), { force: true });
        }
      }
    }
    await checkAndRecord(statePath, marketplaceUrl, {
      version: verified.body.version,
      sha256: verified.sha256,
    });
  } finally {
    await release();
  }
}

async function checkAndRecord(statePath: string, marketplaceUrl: string, current: SeenIndex): Promise<void> {
  const { version, sha256: digest } = current;
  const state = await readIndexState(statePath);
  const seen = state.get(marketplaceUrl);
  if (seen !== undefined) {
    if (version < seen.version) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `the marketplace served index version ${version}, older than version ${seen.version} seen before`,
        { details: { version: version, lastSeenVersion: seen.version } },
      );
    }
    if (version === seen.version && digest !== seen.sha256) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `the marketplace served different content under index version ${version}`,
        { details: { version: version } },
      );
    }
    if (version === seen.version) return;
  }
  state.set(marketplaceUrl, { version: version, sha256: digest });
  try {
    await writeFileAtomic(statePath, `${JSON.stringify(Object.fromEntries(state), null, 2)}\n`);
  } catch (error) {
    // Without a stored version, rollback protection would silently lapse: refuse instead.
    throw new PluginError('INTERNAL', `cannot record the index version in ${statePath}`, { cause: error });
  }
}
