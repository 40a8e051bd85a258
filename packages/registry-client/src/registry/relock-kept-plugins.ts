import type { SignedIndexBody } from '../protocol/marketplace-index';
import type { LockFile } from './lock-file';
import type { PluginDirectory } from './plugin-directory';
import type { InstallPlanStep } from './registry-options';

/** What {@link relockKeptPlugins} needs. */
export interface RelockOptions {
  directory: PluginDirectory;
  /** The install's plan; only its `unchanged` steps are looked at. */
  steps: readonly InstallPlanStep[];
  /** The verified metadata the plan was made from. */
  body: SignedIndexBody;
  /** Id of the key the marketplace signs its plugins with now. */
  keyId: string | undefined;
  marketplaceUrl: string;
  /** The range the operator named for the requested plugin, if any. */
  range: string | undefined;
}

/**
 * Brings the lock file entries of plugins an install keeps as they are up to date with what was
 * asked and verified now: the range the operator named for the requested plugin, and the key id
 * (and a size an old lock file lacked) under which the marketplace now vouches for exactly the
 * locked bytes, as after a key change the operator accepted by trusting the new key. An entry
 * whose bytes the marketplace no longer vouches for is left as it is (a restore refuses it), and
 * so is one installed from a local file. Returns the ids whose entry changed.
 */
export async function relockKeptPlugins(options: RelockOptions): Promise<string[]> {
  const kept = options.steps.filter((step) => step.action === 'unchanged');
  // Nothing is written (not even an empty lock file) unless an entry changes.
  if (kept.length === 0 || relock(await options.directory.readLockFile(), kept, options).length === 0) {
    return [];
  }
  let changed: string[] = [];
  await options.directory.updateLockFile((lockFile) => {
    changed = relock(lockFile, kept, options);
  });
  return changed;
}

/** Applies the changes to a lock file in memory; returns the ids whose entry changed. */
function relock(lockFile: LockFile, kept: readonly InstallPlanStep[], options: RelockOptions): string[] {
  const changed: string[] = [];
  for (const step of kept) {
    const entry = lockFile.plugins[step.pluginId];
    const signed = options.body.plugins[step.pluginId]?.versions[step.version];
    if (entry === undefined || entry.version !== step.version || entry.source.startsWith('file:')) continue;
    const range = step.requested && options.range !== undefined ? options.range : entry.range;
    const vouched =
      signed !== undefined &&
      options.keyId !== undefined &&
      signed.sha256 === entry.sha256 &&
      (entry.size === null || entry.size === signed.size);
    const next = vouched
      ? { ...entry, range, key_id: options.keyId ?? null, size: signed.size, source: options.marketplaceUrl }
      : { ...entry, range };
    if (
      next.range === entry.range &&
      next.key_id === entry.key_id &&
      next.size === entry.size &&
      next.source === entry.source
    ) {
      continue;
    }
    lockFile.plugins[step.pluginId] = next;
    changed.push(step.pluginId);
  }
  return changed;
}
