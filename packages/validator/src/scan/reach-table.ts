import type { FindingCapability } from '@agentplug/models';
import type { AbstractValue } from './abstract-value';
import { classifyFileSystemCall, isHarmlessNetworkCall, isShellCall, moduleKindOf } from './module-table';

/** A capability a value can reach (every one but `dynamic`, which says why instead). */
export type ReachCapability = Exclude<FindingCapability, 'dynamic'>;

/** What a powerful value gives access to, for the findings of its escape. */
export interface Reach {
  /** The value, as a plugin author would write it: `require`, `process`, `child_process.exec`. */
  name: string;
  capabilities: readonly ReachCapability[];
  /**
   * Whether the value reaches so much (every module, the whole process) that its escape gets a
   * `dynamic` finding too, saying what the capability findings stand for.
   */
  broad: boolean;
}

/** What `require` reaches: it loads any module, so every capability. */
export const EVERY_CAPABILITY: readonly ReachCapability[] = [
  'shell',
  'eval',
  'native',
  'network',
  'filesystem_read',
  'filesystem_write',
  'env',
];
const FILE_SYSTEM: readonly ReachCapability[] = ['filesystem_read', 'filesystem_write'];

function broad(name: string): Reach {
  return { name, capabilities: EVERY_CAPABILITY, broad: true };
}

function narrow(name: string, ...capabilities: ReachCapability[]): Reach {
  return { name, capabilities, broad: false };
}

/** Globals (by canonical path) that reach a capability, and what they reach. */
const GLOBAL_REACH: ReadonlyMap<string, Reach> = new Map<string, Reach>([
  ['require', broad('require')],
  ['require.cache', broad('require.cache')],
  ['require.main', broad('require.main')],
  ['module', broad('module')],
  ['module.children', broad('module.children')],
  ['process', broad('process')],
  ['process.mainModule', broad('process.mainModule')],
  ['process.getBuiltinModule', broad('process.getBuiltinModule')],
  ['globalThis', broad('the global object')],
  ['Bun', broad('Bun')],
  // Another function and its live state: in CommonJS the module's own function called the code,
  // and its live `arguments` hold `require` and `module`; a sloppy frame's `this` is the global object.
  [
    'Function.caller',
    broad(
      'a calling function (`.caller`, `getFunction()`), whose live `arguments` hold `require` in CommonJS',
    ),
  ],
  [
    'Function.arguments',
    broad("a function's live `arguments` (the module function's hold `require` in CommonJS)"),
  ],
  [
    'CallSite.getFunction',
    broad("a stack frame's `getFunction`, which hands out the functions that called this one"),
  ],
  [
    'CallSite.getThis',
    broad("a stack frame's `getThis`, which hands out the global object from a sloppy frame"),
  ],
  ['import.meta', { name: 'import.meta', capabilities: [], broad: true }],
  ['eval', narrow('eval', 'eval')],
  ['Function', narrow('the Function constructor', 'eval')],
  ['module._compile', narrow('module._compile', 'eval')],
  ['require.extensions', narrow('require.extensions', 'eval', 'native')],
  ['process.env', narrow('process.env', 'env')],
  ['process.report', narrow('process.report', 'env')],
  ['process.report.getReport', narrow('process.report.getReport', 'env')],
  ['process.report.writeReport', narrow('process.report.writeReport', 'env', 'filesystem_write')],
  ['process.binding', narrow('process.binding', 'shell')],
  ['process._linkedBinding', narrow('process._linkedBinding', 'shell')],
  ['process.execve', narrow('process.execve', 'shell')],
  ['process.dlopen', narrow('process.dlopen', 'native')],
  ['fetch', narrow('fetch', 'network')],
  ['WebSocket', narrow('WebSocket', 'network')],
  ['EventSource', narrow('EventSource', 'network')],
  ['XMLHttpRequest', narrow('XMLHttpRequest', 'network')],
  ['navigator.sendBeacon', narrow('navigator.sendBeacon', 'network')],
  ['Bun.spawn', narrow('Bun.spawn', 'shell')],
  ['Bun.spawnSync', narrow('Bun.spawnSync', 'shell')],
  ['Deno.Command', narrow('Deno.Command', 'shell')],
  ['Deno.run', narrow('Deno.run', 'shell')],
]);

/** Members of the `module` module that load or compile code. */
const MODULE_LOADERS: ReadonlySet<string> = new Set([
  '',
  'createRequire',
  '_load',
  'prototype',
  'prototype.require',
  'Module',
  '_cache',
  'register',
  'runMain',
]);

/** What a module namespace or member reaches, by the module's kind. */
function moduleReach(module: string, path: string): Reach | undefined {
  const name = path ? `${module}.${path}` : module;
  switch (moduleKindOf(module)) {
    case 'shell':
      return path === '' || isShellCall(module, path) || module === 'child_process'
        ? narrow(name, 'shell')
        : undefined;
    case 'eval':
      return narrow(name, 'eval');
    case 'network':
      return isHarmlessNetworkCall(path) ? undefined : narrow(name, 'network');
    case 'filesystem': {
      if (path === '' || path === 'promises') return { name, capabilities: FILE_SYSTEM, broad: false };
      const access = classifyFileSystemCall(path, undefined);
      return access === undefined ? undefined : narrow(name, access);
    }
    case 'module':
      if (MODULE_LOADERS.has(path)) return broad(name);
      if (path === '_compile' || path === 'prototype._compile') return narrow(name, 'eval');
      if (path === '_extensions') return narrow(name, 'eval', 'native');
      return undefined;
    case 'worker':
      return path === '' || path === 'Worker' ? narrow(name, 'eval') : undefined;
    default:
      return undefined;
  }
}

/**
 * What a value reaches when it escapes the scan's understanding: `require` every capability, a
 * module namespace its module's, `eval` eval; undefined for a value that reaches nothing.
 */
export function reachOf(value: AbstractValue): Reach | undefined {
  switch (value.kind) {
    case 'global':
      return GLOBAL_REACH.get(value.path);
    case 'module':
      return moduleReach(value.module, value.path);
    case 'invoker':
      return reachOf(value.target);
    case 'unresolved-member': {
      // `base[unknown]` may be any member of base: it reaches what base reaches.
      const fromGlobal = GLOBAL_REACH.get(value.base);
      if (fromGlobal !== undefined) return { ...fromGlobal, name: `a member of ${fromGlobal.name}` };
      const dot = value.base.indexOf('.');
      const module = dot < 0 ? value.base : value.base.slice(0, dot);
      const namespace = moduleReach(module, '');
      return namespace === undefined ? undefined : { ...namespace, name: `a member of ${value.base}` };
    }
    default:
      return undefined;
  }
}
