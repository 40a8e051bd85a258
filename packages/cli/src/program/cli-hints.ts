import type { PluginErrorCode } from '@agentplug/models';

/**
 * What a person at a terminal should do about each error code, in the command line's own words
 * (its commands and flags, never an API option such as `approvePermissions`). One entry per code
 * of models' table: the type makes a new code without a hint a compile error, and
 * `cli-hints.test.ts` holds each hint to being specific (no two alike, no API spelling).
 */
const CLI_HINTS: Readonly<Record<PluginErrorCode, string>> = {
  MANIFEST_NOT_FOUND:
    'Run the command on the plugin folder (the one holding plugin.json), or create one with "agentplug init".',
  MANIFEST_UNREADABLE: 'Fix the JSON syntax of plugin.json at the line and column given.',
  MANIFEST_TOO_LARGE: 'Shrink plugin.json below the cap; move data into files the plugin reads.',
  MANIFEST_INVALID: 'Fix each field of plugin.json the message names (the JSON path says where).',
  CONFIG_INVALID:
    'Fix the value with "agentplug config set <id> <key> <value>" (or edit agentplug-config/<id>.json beside the lock file), then run again.',
  PLUGIN_NOT_FOUND: 'Check the id with "agentplug list" (installed) or "agentplug search" (marketplace).',
  DUPLICATE_PLUGIN: 'Two folders in the plugins directory declare this id: remove one, then run again.',
  INVALID_TRANSITION:
    'The plugin is not in a state this step accepts; run again with --verbose and report it.',
  LOAD_FAILED:
    'Run "agentplug validate <plugin folder>" and fix its entry module; --verbose shows the cause.',
  ENTRY_NOT_FOUND:
    'Build the plugin ("npm run build" or "agentplug build"), or point entry_point in plugin.json at the built module.',
  ENTRY_INVALID:
    'Export a Plugin class or createPlugin from the entry module (the sdk\'s define* helpers make one), then "agentplug build".',
  HOOK_FAILED: "The plugin's own initialize or activate threw: fix the plugin, or report it to its author.",
  VALIDATION_FAILED:
    'Run "agentplug validate <folder>" for every finding; fix them, or pass --max-risk deliberately where offered.',
  INCOMPATIBLE: 'Install a version made for this runtime: "agentplug info <id>" lists each version\'s range.',
  DEPENDENCY_UNRESOLVED:
    "Publish or install the plugins the explanation names, or loosen the ranges in plugin.json's dependencies.",
  DEPENDENCY_CYCLE: 'Remove one of the dependencies in the cycle the message lists from its plugin.json.',
  DEPENDENTS_LOADED: 'Stop the plugins that require it first (they are named in the message).',
  DEPENDENTS_INSTALLED:
    'Uninstall the plugins that require it first (named in the message), or run again with --force.',
  INVALID_VERSION: 'Write the version as MAJOR.MINOR.PATCH (for example 1.2.0), optionally -prerelease.',
  INVALID_CONSTRAINT:
    'Write the range as npm does: id@1.2.3, id@^1.2.0, id@~1.2.0, id@">=1.0.0 <2.0.0" or id@latest.',
  CAPABILITY_NOT_FOUND: 'Use a capability the plugin declares: "agentplug info <id>" lists them.',
  INVALID_PARAMS:
    "Pass parameters that match the capability's schema; each wrong field is named in the message.",
  NOT_ACTIVE: 'Activate the plugin before calling it (the MCP server does this for enabled plugins).',
  TIMEOUT:
    'The marketplace or plugin answered too slowly: run again, or raise --timeout (or --timeout-ms for mcp).',
  ABORTED: 'The command was interrupted before it finished; run it again.',
  PERMISSION_DENIED:
    'The plugin touched something plugin.json does not declare: add it to "permissions" (as the author), or do not run it.',
  WORKER_CRASHED: "The plugin's worker thread died: report it to the plugin's author; other plugins go on.",
  PROCESS_CRASHED: "The plugin's process exited (code or signal in --verbose): report it to its author.",
  PROTOCOL_VIOLATION:
    'The plugin misbehaved on its channel and was stopped: uninstall it and tell its author.',
  SANDBOX_UNAVAILABLE:
    'Install bubblewrap (apt-get install bubblewrap) and allow user namespaces, or choose --isolation worker.',
  OUT_OF_MEMORY:
    'The plugin used more memory than its sandbox allows: raise max_memory_mb in its config, or report it.',
  MARKETPLACE_DISABLED:
    'Name a marketplace: --marketplace <url>, AGENTPLUG_MARKETPLACE, or "marketplace" in the config file.',
  NETWORK_ERROR:
    'Check the --marketplace URL and that the server is up (curl <url>/v2/timestamp.json), then run again.',
  NOT_FOUND: 'Check the id and version with "agentplug search <words>" or "agentplug info <id>".',
  SIGNATURE_INVALID:
    "Pass the marketplace's public key with --trusted-key (or AGENTPLUG_TRUSTED_KEYS); if it is right, do not install.",
  INDEX_INVALID:
    "The marketplace's signed metadata is malformed: nothing from it was used; tell the marketplace's operator.",
  INDEX_EXPIRED:
    "The marketplace's signed metadata is out of date (a stale timestamp: a freeze?): ask its operator to re-sign it; nothing was installed.",
  ROLLBACK_DETECTED:
    'The marketplace served older metadata than seen before (a replay?): do not install from it now.',
  INTEGRITY_MISMATCH:
    'The archive does not match its signed hash: do not install it; run again later or tell the operator.',
  ARCHIVE_UNSAFE:
    'The archive holds absolute paths, .. segments, links or devices: do not install or serve it.',
  SECRET_DETECTED:
    'Remove the credential from the plugin folder, or name the file in .agentplugignore with "!" to ship it on purpose.',
  TOO_LARGE:
    'A download or archive is larger than its signed size or a cap: do not install it; tell the operator.',
  INSTALL_FAILED:
    'Nothing was changed (the previous version is still installed); run with --verbose for the cause.',
  INSTALL_LOCKED:
    "Another agentplug command is changing this plugins directory: let it finish, then run again (a dead one's lock clears itself).",
  PERMISSIONS_ESCALATED:
    'Review the new permissions (marked +), then run again with --approve-permissions, or answer "y" on a terminal.',
  PLUGIN_REVOKED:
    'The marketplace revoked this version: "agentplug update" to a version that is not revoked, or "agentplug uninstall <id>".',
  UNAUTHORIZED: "Pass the marketplace's publish token with --token (or AGENTPLUG_TOKEN).",
  INVALID_ARGUMENT:
    'Fix the argument or option the message names; "agentplug <command> --help" says what each takes.',
  CONFLICT:
    'That version is already published and cannot change: raise the version in plugin.json and package.json.',
  FORBIDDEN:
    "Use a token of the publisher that owns this plugin id's namespace (a marketplace operator grants them).",
  RATE_LIMITED:
    'The marketplace is limiting requests: wait the seconds it asked for (--verbose shows them), then run again.',
  UNAVAILABLE: 'The marketplace cannot serve this now: run again shortly; tell its operator if it persists.',
  PACKAGE_MISSING: 'Install the package the message names next to @agentplug/cli (npm install <package>).',
  DECLINED: 'Nothing was changed: run again and answer "y", or pass --yes.',
  INTERNAL: 'This is a bug in agentplug: run again with --verbose and report the output.',
};

/**
 * The hint to print for a failure: the one the failure carries itself when the command gave it one
 * (`own`), else the command line's hint for its code.
 */
export function cliHintFor(code: PluginErrorCode, own?: string): string {
  return own ?? CLI_HINTS[code] ?? '';
}

/** Every code's command-line hint, for tests and documentation. */
export function listCliHints(): ReadonlyArray<readonly [PluginErrorCode, string]> {
  return Object.entries(CLI_HINTS) as Array<[PluginErrorCode, string]>;
}
