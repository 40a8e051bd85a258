// The entry of an isolated plugin's own process (`isolation: "process"`). Node runs it under its
// permission model (file reads limited to this folder, the plugin folder and the declared paths;
// writes to the declared write paths; no child processes, workers, addons or WASI), and, where the
// host found bubblewrap, inside a mount and network namespace that show only those paths. This
// file adds the in-realm policy of the worker tier as a second layer, then loads the plugin. The host
// runs it bundled with the rest of this folder into one CommonJS file (see build-runtime-bundle.ts),
// hence no top-level await.

import { installPolicy } from './install-policy.mjs';
import { createPermissionPolicy } from './permission-policy.mjs';
import { defineProperty, SafeError, SafeString } from './primordials.mjs';
import { openHostChannel } from './process-channel.mjs';
import { createProxyForwarders } from './proxy-forwarders.mjs';
import { serializeError, servePlugin } from './serve-plugin.mjs';

// The standard streams are opened now: later, wrapping a descriptor is refused.
process.stdout;
process.stderr;
const channel = openHostChannel(3);
async function main() {
  const setup = await channel.next();
  const { pluginId, pluginPath, entryModulePath, metadata, config, permissions, proxySocketPath } = setup;

  // Only the declared variables: whatever the launcher added on the way (bubblewrap sets PWD) goes.
  const declaredVariables = new Set(permissions.environment_variables ?? []);
  for (const name of Object.keys(process.env)) if (!declaredVariables.has(name)) delete process.env[name];

  function report(capability, target, allowed) {
    channel.post({ type: 'permission', capability, target, allowed });
  }

  const policy = createPermissionPolicy({ pluginId, pluginPath, permissions, report });
  const proxy =
    typeof proxySocketPath === 'string'
      ? createProxyForwarders({
          socketPath: proxySocketPath,
          deny: (target, what) => policy.denyNetwork(target, what),
        })
      : undefined;
  await installPolicy(policy, { report, proxy });

  const permissionNames = {
    __proto__: null,
    FileSystemRead: ['filesystem_read', 'read', 'permissions.filesystem_read'],
    FileSystemWrite: ['filesystem_write', 'write', 'permissions.filesystem_write'],
  };
  // What each refused permission-model scope stands for, in the words the policy uses.
  const refusedScopes = {
    __proto__: null,
    ChildProcess: 'node:child_process',
    WorkerThreads: 'node:worker_threads',
    Inspector: 'node:inspector',
    WASI: 'node:wasi',
    Addon: 'native addons',
  };

  /**
   * An ERR_ACCESS_DENIED from Node's permission model (the outer layer caught what the policy did not
   * see, such as an ES module import of a file outside the declared paths) becomes the same
   * PERMISSION_DENIED the policy throws, naming what to declare.
   */
  function translateError(error) {
    if (error === null || typeof error !== 'object' || error.code !== 'ERR_ACCESS_DENIED') return error;
    const permission = SafeString(error.permission ?? '');
    const resource = SafeString(error.resource ?? '');
    const known = permissionNames[permission];
    const capability = known === undefined ? 'builtin' : known[0];
    const scope = refusedScopes[permission] ?? (permission || 'this API');
    const message =
      known === undefined
        ? `Permission denied: plugin "${pluginId}" may not use ${scope}: it is not available to isolated plugins (Node's permission model refuses it)`
        : `Permission denied: plugin "${pluginId}" may not ${known[1]} "${resource}"; add "${resource}" (or its folder) to ${known[2]}`;
    const target = known === undefined ? scope : resource;
    report(capability, target, false);
    const translated = new SafeError(message);
    defineProperty(translated, 'name', { value: 'PluginError', writable: true, configurable: true });
    defineProperty(translated, 'code', { value: 'PERMISSION_DENIED', enumerable: true, configurable: true });
    defineProperty(translated, 'details', {
      value: { pluginId, capability, target },
      enumerable: true,
      configurable: true,
    });
    defineProperty(translated, 'cause', { value: error, configurable: true });
    return translated;
  }

  await servePlugin({
    pluginId,
    entryModulePath,
    metadata,
    config,
    post: channel.post,
    listen: channel.listen,
    describeError: (error) => serializeError(translateError(error)),
  });
  // After a failed load the host ends this process; until then nothing else runs here.
}

// A rejection ends the process with an error: the host reports it as a crash.
main();
