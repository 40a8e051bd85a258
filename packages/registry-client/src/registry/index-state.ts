import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import type { SignedIndexBody } from '../protocol/marketplace-index';
import { writeFileAtomic } from './write-file-atomic';

/** The file in the cache directory that records, per marketplace URL, the last index version accepted. */
export const INDEX_STATE_FILE_NAME = 'index-state.json';

/**
 * Refuses an index older than the last one accepted from `marketplaceUrl`, or the same version with
 * other content (ROLLBACK_DETECTED), then records this one as the last seen.
 * @throws PluginError ROLLBACK_DETECTED, INTERNAL (the record cannot be written)
 */
export async function checkRollback(
  cacheDirectory: string,
  marketplaceUrl: string,
  verified: { body: SignedIndexBody; sha256: string },
): Promise<void> {
  const { body, sha256: digest } = verified;
  const statePath = join(cacheDirectory, INDEX_STATE_FILE_NAME);
  let state: Record<string, { version: number; sha256: string }> = {};
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as typeof state;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `cannot read the last-seen index versions in ${statePath}; delete it only if you trust the marketplace`,
        {
          cause: error,
        },
      );
    }
  }
  const seen = state[marketplaceUrl];
  if (seen !== undefined) {
    if (body.version < seen.version) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `the marketplace served index version ${body.version}, older than version ${seen.version} seen before`,
        { details: { version: body.version, lastSeenVersion: seen.version } },
      );
    }
    if (body.version === seen.version && digest !== seen.sha256) {
      throw new PluginError(
        'ROLLBACK_DETECTED',
        `the marketplace served different content under index version ${body.version}`,
        { details: { version: body.version } },
      );
    }
    if (body.version === seen.version) return;
  }
  state[marketplaceUrl] = { version: body.version, sha256: digest };
  try {
    await mkdir(cacheDirectory, { recursive: true });
    await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  } catch (error) {
    // Without a stored version, rollback protection would silently lapse: refuse instead.
    throw new PluginError('INTERNAL', `cannot record the index version in ${statePath}`, { cause: error });
  }
}
