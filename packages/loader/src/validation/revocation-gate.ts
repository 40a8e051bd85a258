import { dirname } from 'node:path';
import {
  findRefusedRevocation,
  getRevocationsPath,
  PluginLoadError,
  type PluginRevocation,
  type RiskLevel,
  readRevocationRecord,
} from '@agentplug/models';

/** Options of a {@link RevocationGate}. */
export interface RevocationGateOptions {
  /** Refuse versions revoked at this severity or above; `false` refuses none. */
  refuseAt: RiskLevel | false;
  /** Revocations the host passed in (besides each plugin directory's record). */
  revocations: readonly PluginRevocation[];
}

/**
 * The check every load and reload passes before anything of the plugin is read: a version the
 * marketplace revoked at or above the refusal severity does not load. Revocations come from the
 * record `PluginRegistry` keeps beside its lock file (`agentplug-revocations.json` in the plugin's
 * directory, read at every check, so a record updated by another process counts at the next load)
 * and from the host. The loader never asks a marketplace itself.
 */
export class RevocationGate {
  private readonly refuseAt: RiskLevel | false;
  private listed: readonly PluginRevocation[];

  constructor(options: RevocationGateOptions) {
    this.refuseAt = options.refuseAt;
    this.listed = [...options.revocations];
  }

  /** Replaces the revocations the host passed in. */
  setRevocations(revocations: readonly PluginRevocation[]): void {
    this.listed = [...revocations];
  }

  /**
   * The revocation that refuses `version` of a plugin in `pluginPath`, if any.
   * @throws PluginError CONFIG_INVALID when the plugin directory's revocation record is damaged (fails closed)
   */
  async find(pluginId: string, version: string, pluginPath: string): Promise<PluginRevocation | undefined> {
    if (this.refuseAt === false) return undefined;
    const recorded = await readRevocationRecord(getRevocationsPath(dirname(pluginPath)));
    return findRefusedRevocation([...this.listed, ...recorded], {
      pluginId,
      version,
      refuseAt: this.refuseAt,
    });
  }

  /**
   * Resolves when the version may load.
   * @throws PluginLoadError PLUGIN_REVOKED with the marketplace's reason and severity in `details`
   * @throws PluginError CONFIG_INVALID when the revocation record is damaged
   */
  async check(pluginId: string, version: string, pluginPath: string): Promise<void> {
    const revocation = await this.find(pluginId, version, pluginPath);
    if (revocation === undefined) return;
    throw new PluginLoadError(
      pluginId,
      `cannot load ${pluginId} ${version}: the marketplace revoked it (${revocation.severity}): ${revocation.reason}`,
      { code: 'PLUGIN_REVOKED', details: { ...revocation } },
    );
  }
}
