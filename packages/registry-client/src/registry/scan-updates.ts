import type { PluginMetadata } from '@agentplug/models';
import type { SignedIndexBody } from '../protocol/marketplace-index';
import { isNewerVersion, isPrerelease, pickLatestVersion } from '../protocol/version-rules';
import type { LockFile } from './lock-file';
import type { HeldBackUpdate, PluginUpdate } from './registry-options';

/** What {@link scanUpdates} compares. */
export interface ScanUpdatesInput {
  installed: readonly PluginMetadata[];
  body: SignedIndexBody;
  lockFile: LockFile;
  runtimeVersion: string | undefined;
  /** Look past the range the lock file records. */
  latest: boolean;
}

/**
 * The updates of installed plugins the signed index offers (non-yanked, runtime-compatible, within
 * every installed plugin's constraint and, unless `latest`, the recorded range), and the newer
 * versions the recorded ranges hold back. Plugins installed from local files are left out.
 */
export function scanUpdates(input: ScanUpdatesInput): {
  updates: PluginUpdate[];
  heldBack: HeldBackUpdate[];
} {
  const { installed, body, lockFile, latest } = input;
  const updates: PluginUpdate[] = [];
  const heldBack: HeldBackUpdate[] = [];
  for (const manifest of installed) {
    const entry = body.plugins[manifest.plugin_id];
    const locked = lockFile.plugins[manifest.plugin_id];
    if (entry === undefined || locked?.source.startsWith('file:')) continue;
    const constraints = installed.flatMap((other) =>
      other.dependencies
        .filter((dependency) => dependency.plugin_id === manifest.plugin_id)
        .map((dependency) => dependency.version_constraint),
    );
    const range = locked?.range ?? '*';
    // Someone on a prerelease has asked for prereleases; everyone else is offered releases first.
    const pick = (ranges: string[]) =>
      pickLatestVersion(entry.versions, {
        runtimeVersion: input.runtimeVersion,
        range: ranges,
        includePrerelease: isPrerelease(manifest.version),
      });
    const inRange = pick(latest ? constraints : [...constraints, range]);
    if (inRange !== undefined && isNewerVersion(inRange.version, manifest.version)) {
      updates.push({
        pluginId: manifest.plugin_id,
        currentVersion: manifest.version,
        availableVersion: inRange.version,
        range: latest ? '*' : range,
      });
    }
    const newest = pick(constraints);
    if (
      !latest &&
      newest !== undefined &&
      isNewerVersion(newest.version, inRange?.version ?? manifest.version) &&
      isNewerVersion(newest.version, manifest.version)
    ) {
      heldBack.push({
        pluginId: manifest.plugin_id,
        currentVersion: manifest.version,
        latestVersion: newest.version,
        range,
      });
    }
  }
  return { updates, heldBack };
}
