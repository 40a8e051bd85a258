// Module customization hooks of one isolated plugin's worker (Node runs them on a hooks thread of
// that worker). They refuse built-in modules outside the allow-list and files outside the plugin
// folder and the declared read paths, for static and dynamic `import` alike. A refused module
// resolves to an `agentplug-denied:` URL whose source throws PERMISSION_DENIED when evaluated, so
// the error reaches the importing code in the worker with its code intact.
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isBuiltinAllowed, isInside, normalizeBuiltinName, resolveRealPath } from './permission-policy.mjs';

const deniedScheme = 'agentplug-denied:';
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
  const payload = encodeURIComponent(
    JSON.stringify({
      message: `Permission denied: plugin "${settings.pluginId}" ${message}`,
      details: { pluginId: settings.pluginId, capability, target },
    }),
  );
  return { url: `${deniedScheme}${payload}`, shortCircuit: true };
}

/** Refuses denied built-ins and files outside the readable folders. */
export async function resolve(specifier, context, nextResolve) {
  if (isBuiltin(specifier)) {
    const name = normalizeBuiltinName(specifier);
    if (!isBuiltinAllowed(name)) {
      return deny(
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
      return deny(
        'filesystem_read',
        resolved,
        `may not import "${resolved}"; add "${resolved}" (or its folder) to permissions.filesystem_read`,
      );
    }
  }
  return result;
}

/** Serves a refused module as source that throws PERMISSION_DENIED. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith(deniedScheme)) return nextLoad(url, context);
  const payload = decodeURIComponent(url.slice(deniedScheme.length));
  const source = `const { message, details } = ${payload};
const error = new Error(message);
Object.defineProperty(error, 'name', { value: 'PluginError', writable: true, configurable: true });
Object.defineProperty(error, 'code', { value: 'PERMISSION_DENIED', enumerable: true, configurable: true });
Object.defineProperty(error, 'details', { value: details, enumerable: true, configurable: true });
Object.defineProperty(error, Symbol.for('@agentplug/models/PluginError'), { value: true });
throw error;
`;
  return { format: 'module', source, shortCircuit: true };
}
