// Module customization hooks of one isolated plugin's worker on Node.js without
// `module.registerHooks` (before 22.15 and 23.5; install-module-gate.mjs chooses), run on a hooks
// thread of that worker. They refuse built-in modules outside the allow-list and files outside the
// plugin folder and the declared read paths, for static and dynamic `import` alike.
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isBuiltinAllowed, isInside, normalizeBuiltinName, resolveRealPath } from './permission-policy.mjs';

let settings = { pluginId: '', readRoots: [], auditPort: undefined };
const reportedAllowed = new Set();

/** Receives the plugin id, the resolved read roots and the port audit events go to. */
export async function initialize(data) {
  settings = data;
}

function report(capability, target, allowed) {
  if (allowed) {
    const key = `${capability}\u0000${target}`;
    if (reportedAllowed.has(key)) return;
    reportedAllowed.add(key);
  }
  settings.auditPort?.postMessage({ type: 'permission', capability, target, allowed });
}

function deny(capability, target, message) {
  report(capability, target, false);
  // Thrown from the hooks thread, the error reaches the importing code with its name, code and
  // details (Node clones it), before anything links: static imports fail as dynamic ones do.
  const error = new Error(`Permission denied: plugin "${settings.pluginId}" ${message}`);
  error.name = 'PluginError';
  error.code = 'PERMISSION_DENIED';
  error.details = { pluginId: settings.pluginId, capability, target };
  throw error;
}

/** Refuses denied built-ins and files outside the readable folders. */
export async function resolve(specifier, context, nextResolve) {
  if (isBuiltin(specifier)) {
    const name = normalizeBuiltinName(specifier);
    if (!isBuiltinAllowed(name)) {
      deny(
        'builtin',
        `node:${name}`,
        `may not load the built-in module "node:${name}": it is not available to isolated plugins (no permission grants it; run the plugin with isolation "none" if it must)`,
      );
    }
    report('builtin', `node:${name}`, true);
    return nextResolve(specifier, context);
  }
  const result = await nextResolve(specifier, context);
  if (result.url.startsWith('file:')) {
    const resolved = resolveRealPath(fileURLToPath(result.url));
    if (!settings.readRoots.some((root) => isInside(root, resolved))) {
      deny(
        'filesystem_read',
        resolved,
        `may not import "${resolved}"; add "${resolved}" (or its folder) to permissions.filesystem_read`,
      );
    }
  }
  return result;
}
