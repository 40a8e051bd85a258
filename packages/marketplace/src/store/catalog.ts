import type { IndexPluginEntry, IndexVersionEntry } from '@agentplug/registry-client/protocol';
import { compareVersions } from '@agentplug/version';
import type { ArchiveInspection } from '../publish/inspect-archive';

/** The plugins a marketplace holds, by id. */
export type Catalog = Record<string, IndexPluginEntry>;

/** Adds an inspected archive to a catalog (a new object; the input is not changed). */
export function addToCatalog(catalog: Catalog, inspection: ArchiveInspection, publishedAt: string): Catalog {
  const pluginId = inspection.manifest.plugin_id;
  const existing = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
  return { ...catalog, [pluginId]: catalogEntryWith(existing, inspection, publishedAt) };
}

/** The entry of an inspected archive's plugin: `existing` (not changed) with the archive's version added. */
export function catalogEntryWith(
  existing: IndexPluginEntry | undefined,
  inspection: ArchiveInspection,
  publishedAt: string,
): IndexPluginEntry {
  const { manifest } = inspection;
  const version: IndexVersionEntry = {
    version: manifest.version,
    dependencies: manifest.dependencies,
    min_runtime_version: manifest.min_runtime_version,
    max_runtime_version: manifest.max_runtime_version,
    permissions: manifest.permissions,
    security_score: inspection.securityScore,
    risk_level: inspection.riskLevel,
    sha256: inspection.sha256,
    size: inspection.size,
    published_at: publishedAt,
    yanked: false,
  };
  const versions = { ...existing?.versions, [manifest.version]: version };
  const newest = Object.keys(versions).sort((left, right) => compareVersions(right, left))[0];
  // Search fields follow the newest version's manifest.
  const describes = existing === undefined || newest === manifest.version;
  const entry: IndexPluginEntry = {
    plugin_id: manifest.plugin_id,
    name: describes ? manifest.name : existing.name,
    description: describes ? manifest.description : existing.description,
    plugin_type: describes ? manifest.plugin_type : existing.plugin_type,
    tags: describes ? [...manifest.tags] : existing.tags,
    author: describes ? manifest.author : existing.author,
    downloads: existing?.downloads ?? 0,
    rating: existing?.rating ?? 0,
    rating_count: existing?.rating_count ?? 0,
    versions,
  };
  return entry;
}
