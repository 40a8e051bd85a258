import { MAX_CONSTRAINT_LENGTH, PERMISSION_KINDS, PluginType, RISK_LEVELS } from '@agentplug/models';
import { isValidConstraint } from '@agentplug/version';
import { isProtocolPluginId, isProtocolVersion } from './identifiers';
import type { IndexVersionEntry } from './marketplace-index';
import {
  checkNumber,
  checkString,
  checkStringArray,
  createMap,
  fail,
  isRecord,
  own,
  SHA256_PATTERN,
} from './shape-checks';

/** Every plugin type the protocol knows. */
export const PLUGIN_TYPES: ReadonlySet<string> = new Set(Object.values(PluginType));
const RISK_LEVEL_SET: ReadonlySet<string> = new Set(RISK_LEVELS);
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
  for (const key of PERMISSION_KINDS) permissions[key] = checkStringArray(own(value, key), `${path}.${key}`);
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
 * Checks one version entry of a plugin's signed targets, keyed by `version`.
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
