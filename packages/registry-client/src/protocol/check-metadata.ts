import { RISK_LEVELS } from '@agentplug/models';
import { checkVersionEntry, PLUGIN_TYPES } from './check-version-entry';
import { isProtocolPluginId, isProtocolVersion } from './identifiers';
import type {
  MetaReference,
  RoleKeys,
  RoleName,
  RootBody,
  RootKey,
  SnapshotBody,
  TargetsBody,
  TargetsVersionEntry,
  TimestampBody,
  TreeEntry,
  TreeNode,
} from './metadata-types';
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

/** The largest metadata file of any kind a client reads; each kind has its own, smaller cap too. */
export const MAX_METADATA_BYTES: number = 8 * 1024 * 1024;
/** Most keys a root document may list. */
export const MAX_ROOT_KEYS: number = 64;
/** Deepest a targets tree goes: one level per hex digit of a sha256. */
export const MAX_TREE_DEPTH: number = 64;

const ROLES: readonly RoleName[] = ['root', 'targets', 'snapshot', 'timestamp'];
const RISK_LEVEL_SET: ReadonlySet<string> = new Set(RISK_LEVELS);
const HEX_DIGIT = /^[0-9a-f]$/;
/** Relative, without a scheme, a host, `..` or a query: the search endpoint stays on the marketplace. */
const SEARCH_ENDPOINT_PATTERN = /^(?:[a-z0-9_-]+\/)*[a-z0-9_-]+$/;

/** What the checks of one kind return: the fresh, prototype-free body, or the problem as text. */
export type CheckResult<Body> = { success: true; data: Body } | { success: false; message: string };

function guard<Body>(check: () => Body): CheckResult<Body> {
  try {
    return { success: true, data: check() };
  } catch (error) {
    if (error instanceof IndexShapeError) return { success: false, message: error.message };
    throw error;
  }
}

function checkType(value: Record<string, unknown>, type: string): void {
  if (own(value, '_type') !== type) fail('signed._type', JSON.stringify(type));
}

function checkVersionNumber(value: unknown, path: string): number {
  return checkNumber(value, path, { min: 1, integer: true });
}

function checkExpires(value: unknown, path: string): string {
  const expires = checkString(value, path);
  if (expires.length > 64 || !Number.isFinite(Date.parse(expires))) fail(path, 'an ISO 8601 time');
  return expires;
}

function checkSha256(value: unknown, path: string): string {
  const sha256 = checkString(value, path);
  if (!SHA256_PATTERN.test(sha256)) fail(path, '64 lowercase hex digits');
  return sha256;
}

function checkReference(value: unknown, path: string): MetaReference {
  if (!isRecord(value)) fail(path, 'an object');
  return {
    sha256: checkSha256(own(value, 'sha256'), `${path}.sha256`),
    length: checkNumber(own(value, 'length'), `${path}.length`, { min: 1, integer: true }),
  };
}

function checkRoleKeys(value: unknown, path: string, keys: Record<string, RootKey>): RoleKeys {
  if (!isRecord(value)) fail(path, 'an object');
  const keyids = checkStringArray(own(value, 'keyids'), `${path}.keyids`);
  if (new Set(keyids).size !== keyids.length) fail(`${path}.keyids`, 'free of repeats');
  for (const keyid of keyids) {
    if (!Object.hasOwn(keys, keyid)) fail(`${path}.keyids`, 'ids of keys listed in signed.keys');
  }
  const threshold = checkNumber(own(value, 'threshold'), `${path}.threshold`, {
    min: 1,
    max: Math.max(1, keyids.length),
    integer: true,
  });
  if (keyids.length === 0) fail(`${path}.keyids`, 'at least one key id');
  return { keyids, threshold };
}

/**
 * Checks the shape of a root body: its keys (ed25519, keyed by a sha256 id) and the keys and
 * threshold of each of the four roles (every key listed, no repeats, a threshold from 1 to the
 * number of keys). Whether each key id is the hash of its key is checked when the keys are read.
 */
export function checkRootBody(value: unknown): CheckResult<RootBody> {
  return guard(() => {
    if (!isRecord(value)) fail('signed', 'an object');
    checkType(value, 'agentplug-root');
    const rawKeys = own(value, 'keys');
    if (!isRecord(rawKeys)) fail('signed.keys', 'an object');
    const keyIds = Object.keys(rawKeys);
    if (keyIds.length > MAX_ROOT_KEYS) fail('signed.keys', `at most ${MAX_ROOT_KEYS} keys`);
    const keys = createMap<RootKey>();
    for (const keyid of keyIds) {
      const at = `signed.keys[${JSON.stringify(keyid.slice(0, 80))}]`;
      if (!SHA256_PATTERN.test(keyid)) fail(at, 'keyed by a sha256 key id');
      const key = rawKeys[keyid];
      if (!isRecord(key)) fail(at, 'an object');
      if (own(key, 'keytype') !== 'ed25519') fail(`${at}.keytype`, '"ed25519"');
      const publicKey = checkString(own(key, 'public'), `${at}.public`);
      if (publicKey.length > 256 || !/^[A-Za-z0-9+/]+={0,2}$/.test(publicKey))
        fail(`${at}.public`, 'a base64 SPKI public key');
      keys[keyid] = { keytype: 'ed25519', public: publicKey };
    }
    const rawRoles = own(value, 'roles');
    if (!isRecord(rawRoles)) fail('signed.roles', 'an object');
    const roles = createMap<RoleKeys>() as Record<RoleName, RoleKeys>;
    for (const role of ROLES) roles[role] = checkRoleKeys(own(rawRoles, role), `signed.roles.${role}`, keys);
    return {
      _type: 'agentplug-root',
      protocol_version: checkNumber(own(value, 'protocol_version'), 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      version: checkVersionNumber(own(value, 'version'), 'signed.version'),
      expires: checkExpires(own(value, 'expires'), 'signed.expires'),
      keys,
      roles,
    };
  });
}

/** Checks the shape of a timestamp body. */
export function checkTimestampBody(value: unknown): CheckResult<TimestampBody> {
  return guard(() => {
    if (!isRecord(value)) fail('signed', 'an object');
    checkType(value, 'agentplug-timestamp');
    const snapshot = own(value, 'snapshot');
    const reference = checkReference(snapshot, 'signed.snapshot');
    return {
      _type: 'agentplug-timestamp',
      protocol_version: checkNumber(own(value, 'protocol_version'), 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      version: checkVersionNumber(own(value, 'version'), 'signed.version'),
      expires: checkExpires(own(value, 'expires'), 'signed.expires'),
      snapshot: {
        ...reference,
        version: checkVersionNumber(
          own(snapshot as Record<string, unknown>, 'version'),
          'signed.snapshot.version',
        ),
      },
    };
  });
}

/** Checks the shape of a snapshot body. */
export function checkSnapshotBody(value: unknown): CheckResult<SnapshotBody> {
  return guard(() => {
    if (!isRecord(value)) fail('signed', 'an object');
    checkType(value, 'agentplug-snapshot');
    const body: SnapshotBody = {
      _type: 'agentplug-snapshot',
      protocol_version: checkNumber(own(value, 'protocol_version'), 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      version: checkVersionNumber(own(value, 'version'), 'signed.version'),
      expires: checkExpires(own(value, 'expires'), 'signed.expires'),
      tree: checkReference(own(value, 'tree'), 'signed.tree'),
      plugin_count: checkNumber(own(value, 'plugin_count'), 'signed.plugin_count', { min: 0, integer: true }),
    };
    const searchEndpoint = own(value, 'search_endpoint');
    if (searchEndpoint !== undefined) {
      const endpoint = checkString(searchEndpoint, 'signed.search_endpoint');
      if (endpoint.length > 200 || !SEARCH_ENDPOINT_PATTERN.test(endpoint))
        fail('signed.search_endpoint', 'a relative path such as "api/v1/search"');
      body.search_endpoint = endpoint;
    }
    return body;
  });
}

function checkTargetsVersion(value: unknown, path: string, version: string): TargetsVersionEntry {
  const entry: TargetsVersionEntry = checkVersionEntry(value, path, version);
  const revoked = own(value as Record<string, unknown>, 'revoked');
  if (revoked !== undefined) {
    if (!isRecord(revoked)) fail(`${path}.revoked`, 'an object');
    const reason = checkString(own(revoked, 'reason'), `${path}.revoked.reason`);
    if (reason.length === 0 || reason.length > 2000) fail(`${path}.revoked.reason`, '1 to 2000 characters');
    const severity = checkString(own(revoked, 'severity'), `${path}.revoked.severity`);
    if (!RISK_LEVEL_SET.has(severity)) fail(`${path}.revoked.severity`, RISK_LEVELS.join(', '));
    entry.revoked = {
      reason,
      severity: severity as TargetsVersionEntry['risk_level'],
      revoked_at: checkString(own(revoked, 'revoked_at'), `${path}.revoked.revoked_at`),
    };
  }
  return entry;
}

/** Checks the shape of a plugin's targets body; every version is checked as the v1 index checks it. */
export function checkTargetsBody(value: unknown): CheckResult<TargetsBody> {
  return guard(() => {
    if (!isRecord(value)) fail('signed', 'an object');
    checkType(value, 'agentplug-targets');
    const pluginId = own(value, 'plugin_id');
    if (!isProtocolPluginId(pluginId)) fail('signed.plugin_id', 'a reverse-DNS plugin id');
    const plugin = own(value, 'plugin');
    if (!isRecord(plugin)) fail('signed.plugin', 'an object');
    const pluginType = checkString(own(plugin, 'plugin_type'), 'signed.plugin.plugin_type');
    if (!PLUGIN_TYPES.has(pluginType)) fail('signed.plugin.plugin_type', 'a plugin type');
    const rawVersions = own(value, 'versions');
    if (!isRecord(rawVersions)) fail('signed.versions', 'an object');
    const versions = createMap<TargetsVersionEntry>();
    for (const version of Object.keys(rawVersions)) {
      const at = `signed.versions[${JSON.stringify(version.slice(0, 80))}]`;
      if (!isProtocolVersion(version)) fail(at, 'keyed by a semantic version');
      versions[version] = checkTargetsVersion(rawVersions[version], at, version);
    }
    return {
      _type: 'agentplug-targets',
      protocol_version: checkNumber(own(value, 'protocol_version'), 'signed.protocol_version', {
        min: 0,
        integer: true,
      }),
      plugin_id: pluginId,
      version: checkVersionNumber(own(value, 'version'), 'signed.version'),
      plugin: {
        name: checkString(own(plugin, 'name'), 'signed.plugin.name'),
        description: checkString(own(plugin, 'description'), 'signed.plugin.description'),
        plugin_type: pluginType as TargetsBody['plugin']['plugin_type'],
        tags: checkStringArray(own(plugin, 'tags'), 'signed.plugin.tags'),
        author: checkString(own(plugin, 'author'), 'signed.plugin.author'),
      },
      versions,
    };
  });
}

/**
 * Checks the shape of a targets tree node: a branch whose children are keyed by one hex digit, or a
 * leaf whose plugins are keyed by plugin id; never both. Where the node sits in the tree is the
 * verifier's check.
 */
export function checkTreeNode(value: unknown): CheckResult<TreeNode> {
  return guard(() => {
    if (!isRecord(value)) fail('node', 'an object');
    if (own(value, '_type') !== 'agentplug-tree') fail('node._type', '"agentplug-tree"');
    const depth = checkNumber(own(value, 'depth'), 'node.depth', {
      min: 0,
      max: MAX_TREE_DEPTH,
      integer: true,
    });
    const rawChildren = own(value, 'children');
    const rawPlugins = own(value, 'plugins');
    if ((rawChildren === undefined) === (rawPlugins === undefined)) fail('node', 'a branch or a leaf');
    if (rawChildren !== undefined) {
      if (!isRecord(rawChildren)) fail('node.children', 'an object');
      const children = createMap<MetaReference>();
      for (const digit of Object.keys(rawChildren)) {
        if (!HEX_DIGIT.test(digit)) fail('node.children', 'keyed by one hex digit');
        children[digit] = checkReference(rawChildren[digit], `node.children.${digit}`);
      }
      if (depth >= MAX_TREE_DEPTH) fail('node', `a leaf at depth ${MAX_TREE_DEPTH}`);
      return { _type: 'agentplug-tree', depth, children };
    }
    if (!isRecord(rawPlugins)) fail('node.plugins', 'an object');
    const plugins = createMap<TreeEntry>();
    for (const pluginId of Object.keys(rawPlugins)) {
      const at = `node.plugins[${JSON.stringify(pluginId.slice(0, 80))}]`;
      if (!isProtocolPluginId(pluginId)) fail(at, 'keyed by a reverse-DNS plugin id');
      const entry = rawPlugins[pluginId];
      const reference = checkReference(entry, at);
      plugins[pluginId] = {
        ...reference,
        version: checkVersionNumber(own(entry as Record<string, unknown>, 'version'), `${at}.version`),
      };
    }
    return { _type: 'agentplug-tree', depth, plugins };
  });
}
