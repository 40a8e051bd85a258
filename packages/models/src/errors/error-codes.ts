/** A documented error code; {@link PluginErrorCodes} says what each means and what to do. */
export type PluginErrorCode =
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_TOO_LARGE'
  | 'MANIFEST_INVALID'
  | 'CONFIG_INVALID'
  | 'PLUGIN_NOT_FOUND'
  | 'DUPLICATE_PLUGIN'
  | 'INVALID_TRANSITION'
  | 'LOAD_FAILED'
  | 'ENTRY_NOT_FOUND'
  | 'ENTRY_INVALID'
  | 'HOOK_FAILED'
  | 'VALIDATION_FAILED'
  | 'INCOMPATIBLE'
  | 'DEPENDENCY_UNRESOLVED'
  | 'DEPENDENCY_CYCLE'
  | 'DEPENDENTS_LOADED'
  | 'DEPENDENTS_INSTALLED'
  | 'INVALID_VERSION'
  | 'INVALID_CONSTRAINT'
  | 'CAPABILITY_NOT_FOUND'
  | 'INVALID_PARAMS'
  | 'NOT_ACTIVE'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'WORKER_CRASHED'
  | 'PROCESS_CRASHED'
  | 'PROTOCOL_VIOLATION'
  | 'SANDBOX_UNAVAILABLE'
  | 'OUT_OF_MEMORY'
  | 'MARKETPLACE_DISABLED'
  | 'NETWORK_ERROR'
  | 'NOT_FOUND'
  | 'SIGNATURE_INVALID'
  | 'INDEX_INVALID'
  | 'INDEX_EXPIRED'
  | 'ROLLBACK_DETECTED'
  | 'INTEGRITY_MISMATCH'
  | 'ARCHIVE_UNSAFE'
  | 'SECRET_DETECTED'
  | 'TOO_LARGE'
  | 'INSTALL_FAILED'
  | 'INSTALL_LOCKED'
  | 'PERMISSIONS_ESCALATED'
  | 'PLUGIN_REVOKED'
  | 'UNAUTHORIZED'
  | 'INVALID_ARGUMENT'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'PACKAGE_MISSING'
  | 'DECLINED'
  | 'INTERNAL';

/**
 * What an error code means (`summary`), what the user should do (`hint`), and the HTTP status a
 * server answers it with (`httpStatus`).
 */
export interface PluginErrorCodeInfo {
  summary: string;
  hint: string;
  /**
   * The status a server sends with this error: 4xx when the request is at fault, 5xx when the
   * server (or what it depends on) is. 499 is the client-closed-request status proxies use.
   */
  httpStatus: number;
}

/**
 * Every code a `PluginError` can carry, with what it means, what the user should do, and its HTTP
 * status. One table for every agentplug package, so a host can switch on `error.code` and show
 * `hint`, and a server answers each code with the same status (as fastify keeps a status with each
 * error).
 */
export const PluginErrorCodes: Readonly<Record<PluginErrorCode, PluginErrorCodeInfo>> = {
  MANIFEST_NOT_FOUND: {
    summary: 'plugin.json is missing',
    hint: 'Add a plugin.json at the root of the plugin folder.',
    httpStatus: 422,
  },
  MANIFEST_UNREADABLE: {
    summary: 'plugin.json could not be read or is not valid JSON',
    hint: 'Fix the JSON syntax at the reported line and column.',
    httpStatus: 422,
  },
  MANIFEST_TOO_LARGE: {
    summary: 'plugin.json is larger than the size cap',
    hint: 'Keep plugin.json under the cap; move data into other files.',
    httpStatus: 422,
  },
  MANIFEST_INVALID: {
    summary: 'plugin.json does not match the manifest schema',
    hint: 'Fix each listed field; the JSON path names where.',
    httpStatus: 422,
  },
  CONFIG_INVALID: {
    summary: 'config.json or the supplied configuration is invalid',
    hint: "Fix each listed field so it matches the plugin's config_schema.",
    httpStatus: 422,
  },
  PLUGIN_NOT_FOUND: {
    summary: 'no plugin with that id is known',
    hint: 'Check the plugin id, or run discovery / install the plugin first.',
    httpStatus: 404,
  },
  DUPLICATE_PLUGIN: {
    summary: 'two plugin folders declare the same plugin id',
    hint: 'Remove or rename one of the folders.',
    httpStatus: 409,
  },
  INVALID_TRANSITION: {
    summary: 'the lifecycle does not allow this transition',
    hint: 'Bring the plugin into a state the operation accepts (see the lifecycle diagram).',
    httpStatus: 409,
  },
  LOAD_FAILED: {
    summary: 'the plugin could not be loaded',
    hint: "Read the cause; fix the plugin's entry module or its initialize() hook.",
    httpStatus: 500,
  },
  ENTRY_NOT_FOUND: {
    summary: 'the entry point does not resolve to a module',
    hint: 'Point entry_point at main.js, main.mjs, main.cjs or main/index.js inside the plugin folder.',
    httpStatus: 422,
  },
  ENTRY_INVALID: {
    summary: 'the entry module exports no Plugin class or createPlugin factory',
    hint: 'Export a Plugin class, a createPlugin(metadata, config) factory, or a default of either.',
    httpStatus: 422,
  },
  HOOK_FAILED: {
    summary: 'a lifecycle hook threw or rejected',
    hint: 'Read the cause; the plugin is FAILED until it is unloaded and loaded again.',
    httpStatus: 500,
  },
  VALIDATION_FAILED: {
    summary: 'the plugin failed validation',
    hint: 'Read the validation errors and findings; fix them or raise the risk threshold deliberately.',
    httpStatus: 422,
  },
  INCOMPATIBLE: {
    summary: 'the plugin does not support this runtime version',
    hint: 'Install a version whose min/max_runtime_version includes this runtime.',
    httpStatus: 422,
  },
  DEPENDENCY_UNRESOLVED: {
    summary: 'the dependencies cannot be satisfied',
    hint: 'Read the explanation; install or relax the plugins it names.',
    httpStatus: 422,
  },
  DEPENDENCY_CYCLE: {
    summary: 'plugins depend on each other in a cycle',
    hint: 'Break the cycle named in the message.',
    httpStatus: 422,
  },
  DEPENDENTS_LOADED: {
    summary: 'other loaded plugins depend on this one',
    hint: 'Unload the dependents first, or pass { cascade: true }.',
    httpStatus: 409,
  },
  DEPENDENTS_INSTALLED: {
    summary: 'other installed plugins require this one',
    hint: 'Uninstall the dependents first, or force it (force: true, agentplug uninstall --force).',
    httpStatus: 409,
  },
  INVALID_VERSION: {
    summary: 'not a valid semantic version',
    hint: 'Use MAJOR.MINOR.PATCH, optionally with -prerelease and +build.',
    httpStatus: 400,
  },
  INVALID_CONSTRAINT: {
    summary: 'not a valid version constraint',
    hint: 'Use forms such as 1.2.3, *, >=1.0.0,<2.0.0, ^1.2.0 or ~1.2.0.',
    httpStatus: 400,
  },
  CAPABILITY_NOT_FOUND: {
    summary: 'the plugin does not declare that capability',
    hint: "Call one of the capabilities listed in the plugin's manifest.",
    httpStatus: 404,
  },
  INVALID_PARAMS: {
    summary: "the parameters do not match the capability's schema",
    hint: 'Fix each listed parameter.',
    httpStatus: 400,
  },
  NOT_ACTIVE: {
    summary: 'the plugin is not active',
    hint: 'Activate the plugin before invoking it.',
    httpStatus: 409,
  },
  TIMEOUT: {
    summary: 'the operation took longer than its time limit',
    hint: 'Raise the time limit or make the operation faster.',
    httpStatus: 504,
  },
  ABORTED: {
    summary: 'the operation was aborted by its caller',
    hint: 'Nothing to fix; the signal was aborted.',
    httpStatus: 499,
  },
  PERMISSION_DENIED: {
    summary: 'the plugin used something its manifest does not declare',
    hint: "Declare the permission named in the message in plugin.json's permissions.",
    httpStatus: 403,
  },
  WORKER_CRASHED: {
    summary: "the plugin's worker exited or crashed",
    hint: 'Read the cause; reload the plugin once it is fixed.',
    httpStatus: 500,
  },
  PROCESS_CRASHED: {
    summary: "the plugin's process exited, was killed by a signal or aborted",
    hint: 'Read details.exitCode, details.signal and the cause; reload the plugin once it is fixed.',
    httpStatus: 500,
  },
  PROTOCOL_VIOLATION: {
    summary: 'an isolated plugin sent the host a message it did not accept, and was ended',
    hint: 'The plugin sent garbage, flooded the channel or answered a call that was not made: do not trust it.',
    httpStatus: 502,
  },
  SANDBOX_UNAVAILABLE: {
    summary: 'the OS sandbox this host requires is not available on this machine',
    hint: 'Install bubblewrap (bwrap) and allow unprivileged user namespaces, or stop requiring the OS layer.',
    httpStatus: 503,
  },
  OUT_OF_MEMORY: {
    summary: 'the plugin ran out of its memory limit',
    hint: 'Raise max_memory_mb or reduce what the plugin holds.',
    httpStatus: 500,
  },
  MARKETPLACE_DISABLED: {
    summary: 'the marketplace is disabled in this registry',
    hint: 'Create the registry with enableMarketplace: true and a marketplaceUrl.',
    httpStatus: 503,
  },
  NETWORK_ERROR: {
    summary: 'the marketplace could not be reached',
    hint: 'Check the marketplace URL and that the server is running.',
    httpStatus: 502,
  },
  NOT_FOUND: {
    summary: 'the marketplace has no such plugin or version',
    hint: 'Search the marketplace for the right id and version.',
    httpStatus: 404,
  },
  SIGNATURE_INVALID: {
    summary: 'the marketplace index is not signed by a trusted key',
    hint: "Configure the marketplace's public key in trustedKeys, or stop using this marketplace.",
    httpStatus: 502,
  },
  INDEX_INVALID: {
    summary: 'the signed marketplace index breaks the protocol',
    hint: 'Nothing from it was used; tell the marketplace operator, whose index builder wrote a malformed entry.',
    httpStatus: 502,
  },
  INDEX_EXPIRED: {
    summary: 'the marketplace index has expired',
    hint: 'Ask the marketplace operator to re-sign the index; do not trust a stale one.',
    httpStatus: 502,
  },
  ROLLBACK_DETECTED: {
    summary: 'the marketplace index is older than one seen before',
    hint: 'Someone may be replaying old metadata; do not install from this source.',
    httpStatus: 502,
  },
  INTEGRITY_MISMATCH: {
    summary: 'the download does not match its signed sha256',
    hint: 'The archive was altered in transit or at rest; do not install it.',
    httpStatus: 502,
  },
  ARCHIVE_UNSAFE: {
    summary: 'the archive contains unsafe entries',
    hint: 'Reject the archive: it holds absolute paths, .. segments, links or devices.',
    httpStatus: 422,
  },
  SECRET_DETECTED: {
    summary: 'a file to pack looks like it holds a credential',
    hint: 'Remove the credential from the plugin, or name the file in .agentplugignore with "!" to ship it on purpose.',
    httpStatus: 422,
  },
  TOO_LARGE: {
    summary: 'the data is larger than allowed',
    hint: 'The download or archive exceeds its declared or configured size.',
    httpStatus: 413,
  },
  INSTALL_FAILED: {
    summary: 'the plugin could not be installed',
    hint: 'Read the cause; the previous version is still installed.',
    httpStatus: 500,
  },
  INSTALL_LOCKED: {
    summary: 'another install of this plugin is in progress',
    hint: 'Wait for it to finish, or remove a stale lock left by a killed process.',
    httpStatus: 409,
  },
  PERMISSIONS_ESCALATED: {
    summary: 'the update asks for more permissions than were accepted',
    hint: 'Review the new permissions and approve them explicitly.',
    httpStatus: 403,
  },
  PLUGIN_REVOKED: {
    summary: 'the marketplace has revoked this plugin version',
    hint: 'Do not install or run it: read the reason in details, then update to a version that is not revoked or uninstall.',
    httpStatus: 410,
  },
  UNAUTHORIZED: {
    summary: 'the request lacks a valid token',
    hint: 'Pass the publish token configured on the marketplace server.',
    httpStatus: 401,
  },
  INVALID_ARGUMENT: {
    summary: 'an argument is invalid',
    hint: 'Fix the argument named in the message.',
    httpStatus: 400,
  },
  CONFLICT: {
    summary: 'the request conflicts with what is already there',
    hint: 'Something with that name or version already exists; publish a new version or pick another name.',
    httpStatus: 409,
  },
  FORBIDDEN: {
    summary: 'the token is valid but does not allow this',
    hint: 'Use a token of the publisher that owns the namespace, with the scope the action needs (publish or yank); an operator grants namespaces.',
    httpStatus: 403,
  },
  RATE_LIMITED: {
    summary: 'too many requests from this token or address',
    hint: 'Wait the number of seconds in Retry-After (details.retryAfterSeconds), then try again.',
    httpStatus: 429,
  },
  UNAVAILABLE: {
    summary: 'the server cannot take this request now (busy, shutting down, or its database is unreachable)',
    hint: 'Try again shortly; if it persists, check the server and its database.',
    httpStatus: 503,
  },
  PACKAGE_MISSING: {
    summary: 'a package this feature needs is not installed',
    hint: 'Install the package the message names (an optional peer dependency) next to this one.',
    httpStatus: 500,
  },
  DECLINED: {
    summary: 'the user declined a confirmation, or none could be asked',
    hint: 'Nothing was changed; run again and confirm, or pass --yes where the command offers it.',
    httpStatus: 403,
  },
  INTERNAL: {
    summary: 'an internal error occurred',
    hint: 'Report it with the details and the cause.',
    httpStatus: 500,
  },
};

/** Whether a string is a documented error code. */
export function isPluginErrorCode(value: unknown): value is PluginErrorCode {
  return typeof value === 'string' && Object.hasOwn(PluginErrorCodes, value);
}

/**
 * The HTTP status a server answers an error code with, from {@link PluginErrorCodes}; 500 for
 * anything that is not a documented code.
 * @example
 * response.statusCode = httpStatusForCode(error.code); // 409 for CONFLICT
 */
export function httpStatusForCode(code: unknown): number {
  return isPluginErrorCode(code) ? PluginErrorCodes[code].httpStatus : 500;
}
