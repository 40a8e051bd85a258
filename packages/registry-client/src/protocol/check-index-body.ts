import { PluginType, RISK_LEVELS } from '@agentplug/models';
import type { IndexPluginEntry, IndexVersionEntry, SignedIndexBody } from './marketplace-index';

const PLUGIN_TYPES: ReadonlySet<string> = new Set(Object.values(PluginType));
const RISK_LEVEL_SET: ReadonlySet<string> = new Set(RISK_LEVELS);
const PERMISSION_KEYS = [
  'filesystem_read',
  'filesystem_write',
  'network_hosts',
  'external_apis',
  'environment_variables',
] as const;

/** Where a signed index body breaks the protocol, or undefined when it is sound. */
class IndexShapeError extends Error {}

function fail(path: string, expected: string): never {
  throw new IndexShapeError(`${path} must be ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

function checkStringArray(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    fail(path, 'an array of strings');
  return value as string[];
}

function checkNumber(
  value: unknown,
  path: string,
  options: { min: number; max?: number; integer?: boolean },
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < options.min ||
    (options.max !== undefined && value > options.max) ||
    (options.integer === true && !Number.isInteger(value))
  ) {
    fail(
      path,
      `a${options.integer ? 'n integer' : ' number'} from ${options.min}${options.max === undefined ? '' : ` to ${options.max}`}`,
    );
  }
  return value;
}

function checkVersion(value: unknown, path: string): IndexVersionEntry {
  if (!isRecord(value)) fail(path, 'an object');
  const permissions = value.permissions;
  if (!isRecord(permissions)) fail(`${path}.permissions`, 'an object');
  for (const key of PERMISSION_KEYS)
    permissions[key] = checkStringArray(permissions[key], `${path}.permissions.${key}`);
  const dependencies = value.dependencies ?? [];
  if (!Array.isArray(dependencies)) fail(`${path}.dependencies`, 'an array');
  dependencies.forEach((dependency: unknown, index) => {
    const at = `${path}.dependencies[${index}]`;
    if (!isRecord(dependency)) fail(at, 'an object');
    checkString(dependency.plugin_id, `${at}.plugin_id`);
    dependency.version_constraint = checkString(
      dependency.version_constraint ?? '*',
      `${at}.version_constraint`,
    );
    if (dependency.optional === undefined) dependency.optional = false;
    else if (typeof dependency.optional !== 'boolean') fail(`${at}.optional`, 'a boolean');
  });
  const sha256 = checkString(value.sha256, `${path}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`${path}.sha256`, '64 lowercase hex digits');
  const riskLevel = checkString(value.risk_level, `${path}.risk_level`);
  if (!RISK_LEVEL_SET.has(riskLevel)) fail(`${path}.risk_level`, RISK_LEVELS.join(', '));
  if (value.yanked !== undefined && typeof value.yanked !== 'boolean') fail(`${path}.yanked`, 'a boolean');
  return {
    ...(value as object),
    version: checkString(value.version, `${path}.version`),
    dependencies: dependencies as IndexVersionEntry['dependencies'],
    min_runtime_version: checkString(value.min_runtime_version ?? '*', `${path}.min_runtime_version`),
    max_runtime_version: checkString(value.max_runtime_version ?? '*', `${path}.max_runtime_version`),
    permissions: permissions as IndexVersionEntry['permissions'],
    security_score: checkNumber(value.security_score, `${path}.security_score`, { min: 0, max: 100 }),
    risk_level: riskLevel as IndexVersionEntry['risk_level'],
    sha256,
    size: checkNumber(value.size, `${path}.size`, { min: 0, integer: true }),
    published_at: checkString(value.published_at, `${path}.published_at`),
    yanked: value.yanked === true,
  };
}

function checkPlugin(value: unknown, path: string): IndexPluginEntry {
  if (!isRecord(value)) fail(path, 'an object');
  const pluginType = checkString(value.plugin_type, `${path}.plugin_type`);
  if (!PLUGIN_TYPES.has(pluginType)) fail(`${path}.plugin_type`, 'a plugin type');
  if (!isRecord(value.versions)) fail(`${path}.versions`, 'an object');
  const versions: Record<string, IndexVersionEntry> = {};
  for (const [version, entry] of Object.entries(value.versions)) {
    versions[version] = checkVersion(entry, `${path}.versions["${version}"]`);
    if (versions[version]?.version !== version)
      fail(`${path}.versions["${version}"].version`, `"${version}"`);
  }
  return {
    ...(value as object),
    plugin_id: checkString(value.plugin_id, `${path}.plugin_id`),
    name: checkString(value.name, `${path}.name`),
    description: checkString(value.description, `${path}.description`),
    plugin_type: pluginType as IndexPluginEntry['plugin_type'],
    tags: checkStringArray(value.tags, `${path}.tags`),
    author: checkString(value.author, `${path}.author`),
    downloads: checkNumber(value.downloads ?? 0, `${path}.downloads`, { min: 0, integer: true }),
    rating: checkNumber(value.rating ?? 0, `${path}.rating`, { min: 0, max: 5 }),
    rating_count: checkNumber(value.rating_count ?? 0, `${path}.rating_count`, { min: 0, integer: true }),
    versions,
  };
}

/**
 * Checks the shape of a signed index body (the rules of `SignedIndexBodySchema`, hand-written because
 * a 10,000-plugin index is checked on every refresh) and fills defaults. Returns the problem as text.
 */
export function checkIndexBody(
  value: unknown,
): { success: true; data: SignedIndexBody } | { success: false; message: string } {
  try {
    if (!isRecord(value)) fail('signed', 'an object');
    if (value._type !== 'agentplug-index') fail('signed._type', '"agentplug-index"');
    if (!isRecord(value.plugins)) fail('signed.plugins', 'an object');
    const plugins: Record<string, IndexPluginEntry> = {};
    for (const [pluginId, entry] of Object.entries(value.plugins)) {
      plugins[pluginId] = checkPlugin(entry, `signed.plugins["${pluginId}"]`);
      if (plugins[pluginId]?.plugin_id !== pluginId)
        fail(`signed.plugins["${pluginId}"].plugin_id`, `"${pluginId}"`);
    }
    const body: SignedIndexBody = {
      _type: 'agentplug-index',
      protocol_version: checkNumber(value.protocol_version, 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      version: checkNumber(value.version, 'signed.version', { min: 0, integer: true }),
      expires: checkString(value.expires, 'signed.expires'),
      signed_at: checkString(value.signed_at, 'signed.signed_at'),
      plugins,
    };
    if (value.search_endpoint !== undefined)
      body.search_endpoint = checkString(value.search_endpoint, 'signed.search_endpoint');
    return { success: true, data: body };
  } catch (error) {
    if (error instanceof IndexShapeError) return { success: false, message: error.message };
    throw error;
  }
}
