// Installs the gate on an isolated plugin's module resolution: built-ins outside the allow-list and
// files outside the plugin folder and the declared read paths are refused, for static and dynamic
// `import` (and, with in-thread hooks, `require`) alike.
//
// Node.js 22.15 and 23.5 added `module.registerHooks`: synchronous hooks that run in the worker's
// own thread. Where it exists the gate uses it, so a worker starts without the extra module-hooks
// thread (and isolate) `module.register` spawns for each worker. The checks then run beside the
// plugin's code, as the file-system and network guards already do: they use the policy, which
// reads only intrinsics captured before any plugin code ran. Older Node (20.19 to 22.14) gets the
// same checks from module-hooks.mjs on a hooks thread.
import * as nodeModule from 'node:module';
import { stringStartsWith } from './primordials.mjs';

const { isBuiltin } = nodeModule;
const registerHooks = nodeModule.registerHooks;
const register = nodeModule.register;

/**
 * Installs the module gate for `policy` and says where its checks run: `'in-thread'`
 * (`module.registerHooks`) or `'hooks-thread'` (`module.register` with module-hooks.mjs, whose
 * audit events go to `auditPort`).
 */
export function installModuleGate({ policy, pluginId, auditPort }) {
  if (typeof registerHooks === 'function') {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        if (isBuiltin(specifier)) {
          policy.checkBuiltin(specifier);
          return nextResolve(specifier, context);
        }
        const result = nextResolve(specifier, context);
        if (stringStartsWith(result.url, 'file:')) policy.checkImport(result.url);
        return result;
      },
    });
    return 'in-thread';
  }
  register(new URL('./module-hooks.mjs', import.meta.url), {
    data: { pluginId, readRoots: policy.readRoots, auditPort },
    transferList: [auditPort],
  });
  return 'hooks-thread';
}
