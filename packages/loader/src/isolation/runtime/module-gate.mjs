// What an isolated plugin may import: built-in modules on the allow-list, and files inside its
// folder and its declared read paths. One set of checks for both ways Node runs module hooks:
// on a hooks thread (`module.register`, Node 20) and in the plugin's own thread
// (`module.registerHooks`, Node 22.15 and 23.5 on), where the checks run in the plugin's realm and
// so use captured intrinsics only.
import module from 'node:module';
import path from 'node:path';
import url from 'node:url';
import { createPermissionError } from './permission-error.mjs';
import {
  coerceModuleRequest,
  isBuiltinAllowed,
  isInsideAny,
  normalizeBuiltinName,
  resolveRealPath,
} from './permission-policy.mjs';
import { SafeSet, setAdd, setHas, setSize, stringStartsWith } from './primordials.mjs';

const isBuiltin = module.isBuiltin;
const fileURLToPath = url.fileURLToPath;
const { resolve: resolvePath, dirname } = path;

/**
 * Creates the checks of one plugin's module resolution: `checkSpecifier` before Node resolves a
 * request (built-ins), `checkResolved` after (files). Both throw PluginError PERMISSION_DENIED and
 * report every denial and each allowed target once.
 */
export function createModuleGate({ pluginId, readRoots, report }) {
  const reportedAllowed = new SafeSet();

  function record(capability, target, allowed) {
    if (allowed) {
      const key = `${capability}\u0000${target}`;
      if (setHas(reportedAllowed, key)) return;
      if (setSize(reportedAllowed) < 10_000) setAdd(reportedAllowed, key);
    }
    report(capability, target, allowed);
  }

  function deny(capability, target, message) {
    record(capability, target, false);
    // Thrown from a hooks thread, the error reaches the importing code with its name, code and
    // details (Node clones it), before anything links: static imports fail as dynamic ones do.
    return createPermissionError(`Permission denied: plugin "${pluginId}" ${message}`, {
      pluginId,
      capability,
      target,
    });
  }

  function checkFile(target) {
    const resolved = resolveRealPath(target);
    if (!isInsideAny(readRoots, resolved)) {
      throw deny(
        'filesystem_read',
        resolved,
        `may not import "${resolved}"; add "${resolved}" (or its folder) to permissions.filesystem_read`,
      );
    }
  }

  return {
    /** Refuses a built-in module outside the allow-list; returns the request as a string. */
    checkSpecifier(specifier) {
      const request = coerceModuleRequest(specifier);
      if (!isBuiltin(request)) return request;
      const name = normalizeBuiltinName(request);
      if (!isBuiltinAllowed(name)) {
        throw deny(
          'builtin',
          `node:${name}`,
          `may not load the built-in module "node:${name}": it is not available to isolated plugins (no permission grants it; run the plugin with isolation "none" if it must)`,
        );
      }
      record('builtin', `node:${name}`, true);
      return request;
    },
    /**
     * Refuses a request for a file outside the readable folders before Node looks for it (inside
     * the OS sandbox such a file is not even there: the refusal still names what to declare).
     */
    checkRequestedFile(specifier, parentUrl) {
      const request = coerceModuleRequest(specifier);
      let target;
      if (stringStartsWith(request, 'file:')) target = fileURLToPath(request);
      else if (stringStartsWith(request, '/')) target = request;
      else if (stringStartsWith(request, './') || stringStartsWith(request, '../')) {
        const parent = parentUrl === undefined ? undefined : coerceModuleRequest(parentUrl);
        if (parent === undefined || !stringStartsWith(parent, 'file:')) return;
        target = resolvePath(dirname(fileURLToPath(parent)), request);
      } else return;
      checkFile(target);
    },
    /** Refuses a resolved file outside the plugin folder and the declared read paths. */
    checkResolved(resolvedUrl) {
      const text = coerceModuleRequest(resolvedUrl);
      if (!stringStartsWith(text, 'file:')) return;
      checkFile(fileURLToPath(text));
    },
  };
}
