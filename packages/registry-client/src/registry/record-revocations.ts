import { mkdir } from 'node:fs/promises';
import {
  formatRevocationRecord,
  getRevocationsPath,
  type PluginMetadata,
  type PluginRevocation,
  readRevocationRecord,
} from '@agentplug/models';
import type { SignedIndexBody } from '../protocol/marketplace-index';
import { revocationOf } from './metadata-index';
import { writeFileAtomic } from './write-file-atomic';

/** The installed versions the verified metadata `body` marks revoked, with the marketplace's reason. */
export function findInstalledRevocations(
  installed: readonly PluginMetadata[],
  body: SignedIndexBody,
): PluginRevocation[] {
  const revoked: PluginRevocation[] = [];
  for (const manifest of installed) {
    const entry = body.plugins[manifest.plugin_id]?.versions[manifest.version];
    const revocation = revocationOf(entry);
    if (revocation === undefined) continue;
    revoked.push({
      pluginId: manifest.plugin_id,
      version: manifest.version,
      reason: revocation.reason,
      severity: revocation.severity,
      revokedAt: revocation.revoked_at,
    });
  }
  return revoked;
}

function sameRevocations(left: readonly PluginRevocation[], right: readonly PluginRevocation[]): boolean {
  const key = (list: readonly PluginRevocation[]) => formatRevocationRecord(list, { checkedAt: new Date(0) });
  return key(left) === key(right);
}

/**
 * Records what was verified in the plugin directory's `agentplug-revocations.json` (atomically,
 * replacing the last record), where the loader reads it without a marketplace client. Nothing is
 * written when the record already says exactly this (no file stands for no revocation), so a check
 * that finds nothing new changes nothing in the directory.
 */
export async function writeRevocationRecord(
  pluginDirectory: string,
  revocations: readonly PluginRevocation[],
  checkedAt: Date,
): Promise<void> {
  // A damaged record is replaced by what was just verified.
  const recorded = await readRevocationRecord(getRevocationsPath(pluginDirectory)).catch(() => undefined);
  if (recorded !== undefined && sameRevocations(recorded, revocations)) return;
  await mkdir(pluginDirectory, { recursive: true });
  await writeFileAtomic(
    getRevocationsPath(pluginDirectory),
    formatRevocationRecord(revocations, { checkedAt }),
  );
}
