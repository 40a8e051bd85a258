// The entry of an isolated plugin's worker (`isolation: "worker"`). Plain JavaScript, so Node can run
// it as is; the host runs it bundled with the rest of this folder into one CommonJS file (see
// build-runtime-bundle.ts: one module to load instead of fourteen, and no ES module loader for the
// runtime), hence no top-level await here. Every module the policy needs is imported first, then
// the policy is installed, and only then is the plugin's entry module imported.
import workerThreads from 'node:worker_threads';
import { freezeMessagePortPrototypes, installPolicy } from './install-policy.mjs';
import { createPermissionPolicy } from './permission-policy.mjs';
import { portPostMessage } from './primordials.mjs';
import { encodeValue, servePlugin } from './serve-plugin.mjs';

const { pluginId, pluginPath, entryModulePath, metadata, config, permissions, callPort, auditPort } =
  workerThreads.workerData;

function post(message) {
  portPostMessage(callPort, message);
}

function report(capability, target, allowed) {
  post({ type: 'permission', capability, target, allowed });
}

async function main() {
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
}

// A rejection ends the worker with an error event: the host reports it as a crash.
main();
