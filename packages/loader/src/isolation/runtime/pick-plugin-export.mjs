// The one home of the entry-module rule: which export of a plugin's entry module makes the plugin.
// The in-process host, the worker tier and the process tier all use it. It runs inside isolated
// plugins after their entry module has been evaluated, so it uses captured intrinsics only.
import {
  functionToString,
  getOwnPropertyDescriptor,
  objectGetOwnPropertyNames,
  objectHasOwn,
  regexpExec,
} from './primordials.mjs';

const classSource = /^class[\s{]/;

function readExport(moduleExports, name) {
  // A module namespace or exports object: read as a data property (a getter on a CommonJS export
  // object is the plugin's own code and may run; a namespace has no getters).
  const descriptor = getOwnPropertyDescriptor(moduleExports, name);
  if (descriptor === undefined) return undefined;
  return objectHasOwn(descriptor, 'value') ? descriptor.value : moduleExports[name];
}

/** Whether a function is a class (or an old-style constructor with methods on its prototype). */
export function isClass(value) {
  if (regexpExec(classSource, functionToString(value)) !== null) return true;
  const prototype = getOwnPropertyDescriptor(value, 'prototype');
  const prototypeValue = prototype === undefined ? undefined : prototype.value;
  return (
    prototypeValue !== null &&
    typeof prototypeValue === 'object' &&
    objectGetOwnPropertyNames(prototypeValue).length > 1
  );
}

/**
 * Picks what makes the plugin from its entry module's exports: a `Plugin` class, a
 * `createPlugin(metadata, config)` factory, or a default export of either (also a default object
 * holding them, as a CommonJS `module.exports`). Undefined when there is none.
 */
export function pickPluginExport(moduleExports, depth = 0) {
  if (moduleExports === null || (typeof moduleExports !== 'object' && typeof moduleExports !== 'function')) {
    return undefined;
  }
  const plugin = readExport(moduleExports, 'Plugin');
  if (typeof plugin === 'function') return { kind: 'class', value: plugin };
  const createPlugin = readExport(moduleExports, 'createPlugin');
  if (typeof createPlugin === 'function') return { kind: 'factory', value: createPlugin };
  const fallback = readExport(moduleExports, 'default');
  if (typeof fallback === 'function')
    return { kind: isClass(fallback) ? 'class' : 'factory', value: fallback };
  if (typeof fallback === 'object' && fallback !== null && fallback !== moduleExports && depth < 2) {
    return pickPluginExport(fallback, depth + 1);
  }
  return undefined;
}
