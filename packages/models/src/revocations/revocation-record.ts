import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '../errors/plugin-error';
import { parseUntrustedJson } from '../json/parse-untrusted-json';
import { isValidPluginId } from '../schemas/rules';
import { isRiskAbove, RISK_LEVELS, type RiskLevel } from '../schemas/validation-result';

/**
 * The file, in a plugin directory beside its lock file, where `PluginRegistry` records the
 * revocations of installed versions it verified in signed marketplace metadata; the loader reads
 * it, so refusing a revoked plugin needs no marketplace client in the host that loads.
 */
export const REVOCATIONS_FILE_NAME = 'agentplug-revocations.json';

/** Largest revocation record read (4 MiB): a few thousand revocations with their reasons. */
const MAX_REVOCATIONS_BYTES = 4 * 1024 * 1024;
/** Longest reason kept, in characters. */
const MAX_REASON_LENGTH = 2000;

/** A plugin version the marketplace has revoked, with why and how bad it is. */
export interface PluginRevocation {
  pluginId: string;
  version: string;
  reason: string;
  /** `critical` revocations are refused by the loader by default. */
  severity: RiskLevel;
  /** ISO 8601. */
  revokedAt: string;
}

/** Where the revocation record of a plugin directory lives: `<pluginDirectory>/agentplug-revocations.json`. */
export function getRevocationsPath(pluginDirectory: string): string {
  return join(pluginDirectory, REVOCATIONS_FILE_NAME);
}

/**
 * The text of a revocation record (snake_case, as every file agentplug writes for others to read):
 * `{ "checked_at", "revocations": [{ "plugin_id", "version", "reason", "severity", "revoked_at" }] }`.
 */
export function formatRevocationRecord(
  revocations: readonly PluginRevocation[],
  options: { checkedAt: Date },
): string {
  const sorted = [...revocations].sort(
    (left, right) => left.pluginId.localeCompare(right.pluginId) || left.version.localeCompare(right.version),
  );
  const document = {
    checked_at: options.checkedAt.toISOString(),
    revocations: sorted.map((revocation) => ({
      plugin_id: revocation.pluginId,
      version: revocation.version,
      reason: revocation.reason,
      severity: revocation.severity,
      revoked_at: revocation.revokedAt,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function damaged(path: string, why: string): PluginError {
  return new PluginError(
    'CONFIG_INVALID',
    `the revocation record ${path} is damaged (${why}); run "agentplug update --check" to write it again from the marketplace`,
    { details: { path } },
  );
}

/**
 * Reads a revocation record written by {@link formatRevocationRecord}; a missing file is no
 * revocation. The file is untrusted JSON (null-prototype objects, 4 MiB cap) and fails closed: a
 * damaged record is an error, never an empty list.
 * @throws PluginError CONFIG_INVALID when the file is not a well-formed revocation record
 */
export async function readRevocationRecord(path: string): Promise<PluginRevocation[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new PluginError('CONFIG_INVALID', `the revocation record ${path} cannot be read`, {
      cause: error,
      details: { path },
    });
  }
  const document = parseUntrustedJson(bytes, {
    code: 'CONFIG_INVALID',
    what: `the revocation record ${path}`,
    maxBytes: MAX_REVOCATIONS_BYTES,
  }) as Record<string, unknown> | null;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw damaged(path, 'not a JSON object');
  }
  const list = document.revocations;
  if (!Array.isArray(list)) throw damaged(path, '"revocations" is not a list');
  return list.map((item: unknown, index) => readRevocation(item, `revocations[${index}]`, path));
}

function readRevocation(item: unknown, where: string, path: string): PluginRevocation {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw damaged(path, `${where} is not an object`);
  }
  const record = item as Record<string, unknown>;
  const text = (key: string, maxLength: number): string => {
    const value = record[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
      throw damaged(path, `${where}.${key} is not a string of 1 to ${maxLength} characters`);
    }
    return value;
  };
  const pluginId = text('plugin_id', 256);
  if (!isValidPluginId(pluginId)) throw damaged(path, `${where}.plugin_id is not a plugin id`);
  const severity = text('severity', 16);
  if (!(RISK_LEVELS as readonly string[]).includes(severity)) {
    throw damaged(path, `${where}.severity is not one of ${RISK_LEVELS.join(', ')}`);
  }
  return {
    pluginId,
    version: text('version', 256),
    reason: text('reason', MAX_REASON_LENGTH),
    severity: severity as RiskLevel,
    revokedAt: text('revoked_at', 64),
  };
}

/**
 * The revocation of `pluginId` at `version` that a threshold refuses: severity at or above
 * `refuseAt` (`false` refuses none). The most severe one wins when several sources list it.
 */
export function findRefusedRevocation(
  revocations: readonly PluginRevocation[],
  target: { pluginId: string; version: string; refuseAt: RiskLevel | false },
): PluginRevocation | undefined {
  if (target.refuseAt === false) return undefined;
  let found: PluginRevocation | undefined;
  for (const revocation of revocations) {
    if (revocation.pluginId !== target.pluginId || revocation.version !== target.version) continue;
    if (isRiskAbove(target.refuseAt, revocation.severity)) continue;
    if (found === undefined || isRiskAbove(revocation.severity, found.severity)) found = revocation;
  }
  return found;
}
