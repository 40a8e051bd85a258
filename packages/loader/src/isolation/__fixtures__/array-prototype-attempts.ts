import { type EscapeAttempt, esm } from './escape-attempt';
import type { HarnessTier } from './isolated-plugin-harness';

// Plugin code put inside Node's own array writes: an accessor at an array index of
// Array.prototype or Object.prototype (or a Proxy in Array.prototype's chain) runs during the
// internal `list[index] = value` that fills the array a dynamic import hands to C++, leaves the
// element unset, and on Node 20 the native assertion that follows aborts the whole process (the
// host too, in the worker tier). Every spelling defines the hook, then imports a module that has
// imports; each must be refused at the hook, before the import.

const linkedModules = {
  'linked.mjs': "import { value } from './dependency.mjs';\nexport default value;",
  'dependency.mjs': 'export const value = 1;',
};

function hookThenImport(hook: string): () => Record<string, string> {
  return () => ({ ...esm(`${hook};\nreturn (await import('./linked.mjs')).default;`), ...linkedModules });
}

const accessor = '{ get() { return 5; }, set() {}, configurable: true }';
const lyingChain =
  "new Proxy(Object.create(null), { set() { return true; }, get(target, key, receiver) { return key === '0' ? 5 : Reflect.get(Object.prototype, key, receiver); } })";
/**
 * A read-only index on Array.prototype makes Node's own writes throw. In a worker that is the
 * plugin's failed import; in the process tier Node's IPC code throws too and the plugin's own
 * process exits (PROCESS_CRASHED, the host unharmed), which the crash-containment tests cover.
 */
const workerOnly = (tier: HarnessTier) => tier.isolation === 'worker';
const refused = {
  capability: 'builtin',
  mentions: ['Array.prototype[', 'Object.prototype[', 'a new prototype for Array.prototype', 'a Proxy of'],
};

export const arrayPrototypeAttempts: EscapeAttempt[] = [
  {
    name: 'an accessor at Array.prototype[0] by Object.defineProperty, then a dynamic import',
    files: hookThenImport(`Object.defineProperty(Array.prototype, '0', ${accessor})`),
    ...refused,
  },
  {
    name: 'an accessor at Array.prototype[1] by Reflect.defineProperty with a number key',
    files: hookThenImport(
      `if (!Reflect.defineProperty(Array.prototype, 1, ${accessor})) throw new Error('not defined')`,
    ),
    ...refused,
  },
  {
    name: 'accessors at Array.prototype[0..2] by Object.defineProperties',
    files: hookThenImport(
      `Object.defineProperties(Array.prototype, { 0: ${accessor}, 1: ${accessor}, 2: ${accessor} })`,
    ),
    ...refused,
  },
  {
    name: 'a setter at Array.prototype[0] by __defineSetter__ and a getter by __defineGetter__',
    files: hookThenImport(
      "Array.prototype.__defineSetter__('0', function () {}); Array.prototype.__defineGetter__('0', () => 5)",
    ),
    ...refused,
  },
  {
    name: 'an accessor at Object.prototype[0], below Array.prototype in the chain',
    files: hookThenImport(`Object.defineProperty(Object.prototype, '0', ${accessor})`),
    ...refused,
  },
  {
    name: 'an accessor at an index given as an object that names the index when converted',
    files: hookThenImport(
      `Object.defineProperty(Array.prototype, { toString() { return '0'; } }, ${accessor})`,
    ),
    ...refused,
  },
  {
    // Read once, it is a read-only data property: the import then throws in Node's strict code.
    name: 'an accessor whose attributes object shows its getter and setter only from the second read',
    files: hookThenImport(`const reads = { get: 0, set: 0 };
const attributes = new Proxy({ configurable: true }, {
  has(target, key) { return key in reads ? reads[key]++ > 0 : key in target; },
  get(target, key) { return key === 'get' ? () => 5 : key === 'set' ? () => {} : target[key]; },
});
Object.defineProperty(Array.prototype, '0', attributes);
if (typeof Object.getOwnPropertyDescriptor(Array.prototype, '0').get === 'function') return 'accessor defined'`),
    appliesTo: workerOnly,
    outcome: 'failed',
  },
  {
    name: 'a read-only data property at Array.prototype[0], then a dynamic import',
    files: hookThenImport(
      "Object.defineProperty(Array.prototype, '0', { value: 5, writable: false, configurable: true })",
    ),
    appliesTo: workerOnly,
    outcome: 'failed',
  },
  {
    name: 'a Proxy that lies about index 0 put under Array.prototype by Object.setPrototypeOf',
    files: hookThenImport(`Object.setPrototypeOf(Array.prototype, ${lyingChain})`),
    ...refused,
  },
  {
    name: 'a lying Proxy put under Array.prototype by the __proto__ setter',
    files: hookThenImport(`Array.prototype.__proto__ = ${lyingChain}`),
    ...refused,
  },
  {
    name: 'a lying Proxy put under Array.prototype by Reflect.setPrototypeOf',
    files: hookThenImport(
      `if (!Reflect.setPrototypeOf(Array.prototype, ${lyingChain})) throw new Error('not set')`,
    ),
    ...refused,
  },
  {
    name: 'an object with an accessor at 0 put under Array.prototype',
    files: hookThenImport(
      `Object.setPrototypeOf(Array.prototype, Object.create(Object.prototype, { 0: ${accessor} }))`,
    ),
    ...refused,
  },
  {
    name: 'an accessor defined through a Proxy of Array.prototype without traps',
    files: hookThenImport(`Object.defineProperty(new Proxy(Array.prototype, {}), '0', ${accessor})`),
    ...refused,
  },
  {
    name: 'an accessor defined through a revocable Proxy of Object.prototype',
    files: hookThenImport(
      `Object.defineProperty(Proxy.revocable(Object.prototype, {}).proxy, '0', ${accessor})`,
    ),
    ...refused,
  },
  {
    name: 'an accessor defined with Object.defineProperty taken from its own descriptor',
    files: hookThenImport(
      `const define = Object.getOwnPropertyDescriptor(Object, 'defineProperty').value; define.call(null, Array.prototype, '2', ${accessor})`,
    ),
    ...refused,
  },
];
