// The entry of an isolated plugin's worker (`isolation: "worker"`). Plain JavaScript, so Node runs it
// as is from the TypeScript sources (tests) and from dist (the build copies this folder). Every
// module the policy needs is imported first, then the policy is installed, and only then is the
// plugin's entry module imported.
import { workerData } from 'node:worker_threads';
import { freezeMessagePortPrototypes, installPolicy } from './install-policy.mjs';
import { createPermissionPolicy } from './permission-policy.mjs';
import { portPostMessage } from './primordials.mjs';
import { encodeValue, servePlugin } from './serve-plugin.mjs';

const { pluginId, pluginPath, entryModulePath, metadata, config, permissions, callPort, auditPort } =
  workerData;

function post(message) {
  portPostMessage(callPort, message);
}

function report(capability, target, allowed) {
  post({ type: 'permission', capability, target, allowed });
}

const policy = createPermissionPolicy({ pluginId, pluginPath, permissions, report });
await installPolicy(policy, {
  report,
  asyncHooks: { url: new URL('./module-hooks.mjs', import.meta.url), auditPort },
});
freezeMessagePortPrototypes();

const served = await servePlugin({
  pluginId,
  entryModulePath,
  metadata,
  config,
  encode: encodeValue,
  post,
  listen(handler) {
    callPort.on('message', handler);
  },
});
if (!served) {
  // Stay alive until the host terminates the worker. A pending promise alone does not keep the
  // event loop running: the worker would end by itself, and its exit could reach the host before
  // the load failure, turning it into a crash report. A referenced timer holds it open.
  setInterval(() => {}, 2 ** 30);
}
