import type { PluginDependency, PluginPermissions, PluginType, RiskLevel } from '@agentplug/models';
import { assertPluginId, assertVersion, isProtocolPluginId, isProtocolVersion } from './identifiers';

/** The `_type` of the verified catalog view ({@link SignedIndexBody}). */
export const INDEX_TYPE = 'agentplug-index';
/** The folder of the archives, relative to the marketplace URL. */
export const ARCHIVES_PATH = 'archives';

/** One published version of a plugin in the signed index, snake_case as on the wire. */
export interface IndexVersionEntry {
  version: string;
  dependencies: PluginDependency[];
  min_runtime_version: string;
  max_runtime_version: string;
  permissions: PluginPermissions;
  security_score: number;
  risk_level: RiskLevel;
  /** Lowercase hex sha256 of the archive bytes. */
  sha256: string;
  /** Size of the archive in bytes. */
  size: number;
  /** ISO 8601 time of publication. */
  published_at: string;
  yanked: boolean;
}

/** One plugin in the signed index: what search shows, and every published version. */
export interface IndexPluginEntry {
  plugin_id: string;
  name: string;
  description: string;
  plugin_type: PluginType;
  tags: string[];
  author: string;
  downloads: number;
  rating: number;
  rating_count: number;
  versions: Record<string, IndexVersionEntry>;
}

/**
 * The part of the catalog a client has verified, assembled from the timestamp, the snapshot and the
 * targets it read (`_type` and the version fields come from those roles): what install planning and
 * the search rule read.
 */
export interface SignedIndexBody {
  _type: 'agentplug-index';
  protocol_version: number;
  /** Monotonic: a client refuses an index whose version is lower than one it has seen. */
  version: number;
  /** ISO 8601 time after which a client refuses the index. */
  expires: string;
  /** ISO 8601 time of signing. */
  signed_at: string;
  /** Path of the server's search endpoint relative to the marketplace URL, when a server offers one. */
  search_endpoint?: string;
  plugins: Record<string, IndexPluginEntry>;
}

/**
 * The archive file name of a plugin version: `<plugin_id>-<version>.tgz`.
 * @throws PluginError INVALID_ARGUMENT when the id or the version is not one the protocol accepts
 */
export function formatArchiveName(pluginId: string, version: string): string {
  assertPluginId(pluginId, 'INVALID_ARGUMENT', 'the plugin id');
  assertVersion(version, 'INVALID_ARGUMENT', 'the version');
  return `${pluginId}-${version}.tgz`;
}

/**
 * Every plugin id and version whose archive name is `fileName`: ids and prerelease versions may both
 * hold `-`, so one name can have several readings (`com.tools-1.2.3-4.0.0.tgz` is `com.tools`
 * 1.2.3-4.0.0 and `com.tools-1.2.3` 4.0.0). A marketplace lists at most one of them (it refuses a
 * publish whose name another listed version has), so a name always finds one archive.
 * @example
 * readArchiveName('com.example.hello-1.0.0.tgz'); // [{ pluginId: 'com.example.hello', version: '1.0.0' }]
 */
export function readArchiveName(fileName: string): { pluginId: string; version: string }[] {
  if (!fileName.endsWith('.tgz')) return [];
  const stem = fileName.slice(0, -'.tgz'.length);
  const readings: { pluginId: string; version: string }[] = [];
  for (let dash = stem.indexOf('-'); dash !== -1; dash = stem.indexOf('-', dash + 1)) {
    const pluginId = stem.slice(0, dash);
    const version = stem.slice(dash + 1);
    if (isProtocolPluginId(pluginId) && isProtocolVersion(version)) readings.push({ pluginId, version });
  }
  return readings;
}
