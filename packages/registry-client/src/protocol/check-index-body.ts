import { MAX_CONSTRAINT_LENGTH, PluginType, RISK_LEVELS } from '@agentplug/models';
import { isValidConstraint } from '@agentplug/version';
import { isProtocolPluginId, isProtocolVersion } from './identifiers';
import type { IndexPluginEntry, IndexVersionEntry, SignedIndexBody } from './marketplace-index';
import {
  checkNumber,
  checkString,
  checkStringArray,
  createMap,
  fail,
  IndexShapeError,
  isRecord,
  own,
  SHA256_PATTERN,
} from './shape-checks';

/** Every plugin type the protocol knows. */
export const PLUGIN_TYPES: ReadonlySet<string> = new Set(Object.values(PluginType));
const RISK_LEVEL_SET: ReadonlySet<string> = new Set(RISK_LEVELS);
const PERMISSION_KEYS = [
  'filesystem_read',
  'filesystem_write',
  'network_hosts',
  'external_apis',
  'environment_variables',
] as const;
/** The name a permission kind this client does not know yet must have to count. */
const PERMISSION_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

function checkRuntimeBound(value: unknown, path: string): string {
  const bound = checkString(value ?? '*', path);
  if (bound !== '*' && !isProtocolVersion(bound)) fail(path, 'a semantic version or "*"');
  return bound;
}

function checkPermissions(value: unknown, path: string): IndexVersionEntry['permissions'] {
  if (!isRecord(value)) fail(path, 'an object');
  const permissions = createMap<string[]>();
  for (const key of PERMISSION_KEYS) permissions[key] = checkStringArray(own(value, key), `${path}.${key}`);
  // A kind this client does not know is kept when it is a list of strings under a plain name (the
  // escalation check covers it); anything else under an unknown name cannot be enforced and is left out.
  for (const key of Object.keys(value)) {
    const list = value[key];
    if (key in permissions || !PERMISSION_KEY_PATTERN.test(key) || !Array.isArray(list)) continue;
    if (list.every((item) => typeof item === 'string')) permissions[key] = [...list];
  }
  return permissions as unknown as IndexVersionEntry['permissions'];
}

function checkDependencies(value: unknown, path: string): IndexVersionEntry['dependencies'] {
  const dependencies = value ?? [];
  if (!Array.isArray(dependencies)) fail(path, 'an array');
  return dependencies.map((dependency: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isRecord(dependency)) fail(at, 'an object');
    const pluginId = own(dependency, 'plugin_id');
    if (!isProtocolPluginId(pluginId)) fail(`${at}.plugin_id`, 'a reverse-DNS plugin id');
    const constraint = checkString(own(dependency, 'version_constraint') ?? '*', `${at}.version_constraint`);
    if (constraint.length > MAX_CONSTRAINT_LENGTH || !isValidConstraint(constraint))
      fail(`${at}.version_constraint`, 'a version constraint');
    const optional = own(dependency, 'optional') ?? false;
    if (typeof optional !== 'boolean') fail(`${at}.optional`, 'a boolean');
    return { plugin_id: pluginId, version_constraint: constraint, optional };
  });
}

/**
 * Checks one version entry of a plugin (v1 index or v2 targets), keyed by `version`.
 * @throws IndexShapeError where the entry breaks the protocol
 */
export function checkVersionEntry(value: unknown, path: string, version: string): IndexVersionEntry {
  if (!isRecord(value)) fail(path, 'an object');
  if (own(value, 'version') !== version) fail(`${path}.version`, JSON.stringify(version));
  const sha256 = checkString(own(value, 'sha256'), `${path}.sha256`);
  if (!SHA256_PATTERN.test(sha256)) fail(`${path}.sha256`, '64 lowercase hex digits');
  const riskLevel = checkString(own(value, 'risk_level'), `${path}.risk_level`);
  if (!RISK_LEVEL_SET.has(riskLevel)) fail(`${path}.risk_level`, RISK_LEVELS.join(', '));
  const yanked = own(value, 'yanked') ?? false;
  if (typeof yanked !== 'boolean') fail(`${path}.yanked`, 'a boolean');
  return {
    version,
    dependencies: checkDependencies(own(value, 'dependencies'), `${path}.dependencies`),
    min_runtime_version: checkRuntimeBound(own(value, 'min_runtime_version'), `${path}.min_runtime_version`),
    max_runtime_version: checkRuntimeBound(own(value, 'max_runtime_version'), `${path}.max_runtime_version`),
    permissions: checkPermissions(own(value, 'permissions'), `${path}.permissions`),
    security_score: checkNumber(own(value, 'security_score'), `${path}.security_score`, { min: 0, max: 100 }),
    risk_level: riskLevel as IndexVersionEntry['risk_level'],
    sha256,
    size: checkNumber(own(value, 'size'), `${path}.size`, { min: 0, integer: true }),
    published_at: checkString(own(value, 'published_at'), `${path}.published_at`),
    yanked,
  };
}

function checkPlugin(value: unknown, path: string, pluginId: string): IndexPluginEntry {
  if (!isRecord(value)) fail(path, 'an object');
  if (own(value, 'plugin_id') !== pluginId) fail(`${path}.plugin_id`, JSON.stringify(pluginId));
  const pluginType = checkString(own(value, 'plugin_type'), `${path}.plugin_type`);
  if (!PLUGIN_TYPES.has(pluginType)) fail(`${path}.plugin_type`, 'a plugin type');
  const rawVersions = own(value, 'versions');
  if (!isRecord(rawVersions)) fail(`${path}.versions`, 'an object');
  const versions = createMap<IndexVersionEntry>();
  for (const version of Object.keys(rawVersions)) {
    const at = `${path}.versions[${JSON.stringify(version)}]`;
    if (!isProtocolVersion(version)) fail(at, 'keyed by a semantic version');
    versions[version] = checkVersionEntry(rawVersions[version], at, version);
  }
  return {
    plugin_id: pluginId,
    name: checkString(own(value, 'name'), `${path}.name`),
    description: checkString(own(value, 'description'), `${path}.description`),
    plugin_type: pluginType as IndexPluginEntry['plugin_type'],
    tags: checkStringArray(own(value, 'tags'), `${path}.tags`),
    author: checkString(own(value, 'author'), `${path}.author`),
    downloads: checkNumber(own(value, 'downloads') ?? 0, `${path}.downloads`, { min: 0, integer: true }),
    rating: checkNumber(own(value, 'rating') ?? 0, `${path}.rating`, { min: 0, max: 5 }),
    rating_count: checkNumber(own(value, 'rating_count') ?? 0, `${path}.rating_count`, {
      min: 0,
      integer: true,
    }),
    versions,
  };
}

/**
 * Checks the shape of a signed index body (the rules of `SignedIndexBodySchema`, hand-written because
 * a 10,000-plugin index is checked on every refresh), fills defaults and returns fresh data: the
 * `plugins` and `versions` maps have no prototype and hold only keys that are plugin ids and
 * semantic versions, so no untrusted name can reach a lookup, a URL or a path unchecked.
 * Unknown members are left out. Returns the problem as text.
 */
export function checkIndexBody(
  value: unknown,
): { success: true; data: SignedIndexBody } | { success: false; message: string } {
  try {
    if (!isRecord(value)) fail('signed', 'an object');
    if (own(value, '_type') !== 'agentplug-index') fail('signed._type', '"agentplug-index"');
    const rawPlugins = own(value, 'plugins');
    if (!isRecord(rawPlugins)) fail('signed.plugins', 'an object');
    const plugins = createMap<IndexPluginEntry>();
    for (const pluginId of Object.keys(rawPlugins)) {
      const at = `signed.plugins[${JSON.stringify(pluginId)}]`;
      if (!isProtocolPluginId(pluginId)) fail(at, 'keyed by a reverse-DNS plugin id');
      plugins[pluginId] = checkPlugin(rawPlugins[pluginId], at, pluginId);
    }
    const body: SignedIndexBody = {
      _type: 'agentplug-index',
      protocol_version: checkNumber(own(value, 'protocol_version'), 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      version: checkNumber(own(value, 'version'), 'signed.version', { min: 0, integer: true }),
      expires: checkString(own(value, 'expires'), 'signed.expires'),
      signed_at: checkString(own(value, 'signed_at'), 'signed.signed_at'),
      plugins,
    };
    const searchEndpoint = own(value, 'search_endpoint');
    if (searchEndpoint !== undefined)
      body.search_endpoint = checkString(searchEndpoint, 'signed.search_endpoint');
    return { success: true, data: body };
  } catch (error) {
    if (error instanceof IndexShapeError) return { success: false, message: error.message };
    throw error;
  }
}
