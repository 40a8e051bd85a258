import { commonJs, type EscapeAttempt, esm } from './escape-attempt';

// The plugin's own realm turned against the checks: built-in prototypes, Reflect and Function
// replaced, Object.prototype polluted with the options Node reads, live ES module bindings
// rewritten; and, in a worker, every way to reach the runtime's channel to the host.

const fs = 'import fs from "node:fs";';

/** Whether this Node has node:sqlite (22.5 on; unflagged from 22.13), which undici requires lazily. */
const hasSqlite =
  typeof (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') ===
  'object';
const readDenied = { capability: 'filesystem_read', mentions: ['to permissions.filesystem_read'] };
const declaredRead = (context: { config: { declared: string } }) => ({
  filesystem_read: [context.config.declared],
});

export const realmAttempts: EscapeAttempt[] = [
  {
    name: 'checks still hold after the plugin replaces String and Set methods',
    files: () =>
      esm(
        `String.prototype.startsWith = () => true; String.prototype.endsWith = () => true; Set.prototype.has = () => true; Map.prototype.get = () => ['x'];
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'checks still hold after the plugin replaces the array iterator',
    files: () =>
      esm(
        `Array.prototype[Symbol.iterator] = function* () {}; Array.prototype.some = () => true; Array.prototype.includes = () => true;
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    // Refused at the accessor itself now (see array-prototype-attempts), before any check could see it.
    name: 'checks still hold after the plugin puts a setter and getter on Array.prototype[0] and [1]',
    files: () =>
      esm(
        `for (const index of ['0', '1']) Object.defineProperty(Array.prototype, index, { get() { return c.declared + '/inside.txt'; }, set() {}, configurable: true });
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    capability: 'builtin',
    mentions: ['an accessor at Array.prototype[0]'],
  },
  {
    name: 'checks still hold after the plugin redefines Array[Symbol.species]',
    files: () =>
      esm(
        `class Lying extends Array { constructor() { super(); this.push(c.declared + '/inside.txt'); } }
Object.defineProperty(Array, Symbol.species, { get() { return Lying; }, configurable: true });
Array.prototype.constructor = Lying;
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'checks still hold after the plugin replaces RegExp methods',
    files: () =>
      esm(`RegExp.prototype.test = () => true; RegExp.prototype.exec = () => null;
RegExp.prototype[Symbol.match] = () => null; RegExp.prototype[Symbol.replace] = (text) => text;
await fetch('http://127.0.0.1:' + c.port + '/regexp');`),
    capability: 'network',
    mentions: ['add "127.0.0.1" to permissions.network_hosts'],
  },
  {
    name: 'checks still hold after the plugin replaces Reflect.apply, Function.prototype.call and apply',
    files: () =>
      esm(
        `Reflect.apply = () => 'fine'; Function.prototype.apply = function () { return 'fine'; };
Reflect.construct = () => ({});
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'checks still hold after the plugin pollutes Object.prototype with the options Node reads',
    files: () =>
      esm(
        `Object.prototype.bigint = true; Object.prototype.throwIfNoEntry = false; Object.prototype.withFileTypes = true;
Object.prototype.encoding = 'buffer'; Object.prototype.flag = 'r';
return String(fs.readFileSync(c.declared + '/link-to-secret'));`,
        fs,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'checks still hold after the plugin rewrites a live ES module binding (net.isIP)',
    files: () =>
      commonJs(`const net = require('node:net'); net.isIP = () => 4; net.isIPv4 = () => true;
try { module.constructor.syncBuiltinESMExports(); } catch {}
await require('node:dns').promises.lookup('the-host-secret.attacker.invalid');`),
    capability: 'network',
    mentions: ['add "the-host-secret.attacker.invalid" to permissions.network_hosts'],
  },
  {
    name: 'checks still hold after the plugin replaces the path functions the policy would use',
    files: () =>
      esm(
        `for (const name of ['resolve', 'normalize', 'dirname', 'basename', 'join', 'relative']) { try { path[name] = () => c.declared + '/inside.txt'; } catch {} }
return fs.readFileSync(c.secret, 'utf8');`,
        `${fs} import path from "node:path";`,
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'reaching the call channel through process._getActiveHandles (worker)',
    appliesTo: (tier) => tier.isolation === 'worker',
    files: () =>
      esm(`const ports = process._getActiveHandles().filter((handle) => handle && typeof handle.postMessage === 'function');
for (const port of ports) { port.postMessage(null); port.postMessage({ type: 'result', id: 1, value: 'forged' }); }
if (ports.length === 0) throw new Error('no port reachable');
return ports.length;`),
    outcome: 'failed',
  },
  {
    name: 'reaching the call channel as the execution resource of a call (worker)',
    appliesTo: (tier) => tier.isolation === 'worker',
    files: () =>
      esm(
        `const resource = executionAsyncResource();
if (resource && typeof resource.postMessage === 'function') { resource.postMessage(null); return 'posted'; }
throw new Error('no port reachable');`,
        'import { executionAsyncResource } from "node:async_hooks";',
      ),
    outcome: 'failed',
  },
  {
    name: 'reaching the call channel by replacing what a MessagePort dispatches through (worker)',
    appliesTo: (tier) => tier.isolation === 'worker',
    files: () =>
      esm(`let captured;
const dispatch = Object.getOwnPropertySymbols(EventTarget.prototype).find((symbol) => String(symbol).includes('kHybridDispatch'));
const original = EventTarget.prototype[dispatch];
EventTarget.prototype[dispatch] = function (...args) { captured = this; return original.apply(this, args); };
MessagePort.prototype.postMessage = function () { captured = this; };
return captured === undefined ? 'nothing captured' : 'captured';`),
    outcome: 'failed',
  },
  {
    name: "worker_threads handed out by undici's first load into a realm the plugin rigged",
    // Node 20 reads markAsUncloneable off worker_threads, where a getter on Object.prototype sees
    // the module; Node 24 names its lazy require of it with Object.defineProperty, captured when
    // undici loads. Either way undici loads on the plugin's first touch of Request.
    files: () =>
      esm(`let leaked;
Object.defineProperty(Object.prototype, 'markAsUncloneable', { get() { if (this !== null && typeof this.Worker === 'function') leaked = this; return undefined; }, set(value) { Object.defineProperty(this, 'markAsUncloneable', { value, writable: true, configurable: true }); }, configurable: true });
const define = Object.defineProperty;
Object.defineProperty = function (target, name, descriptor) {
  if (typeof target === 'function' && descriptor !== undefined && descriptor.value === 'node:worker_threads') leaked = target();
  return define(target, name, descriptor);
};
try { globalThis.Request; } finally { Object.defineProperty = define; delete Object.prototype.markAsUncloneable; }
if (leaked === undefined) throw new Error('undici handed out nothing');
if (leaked.workerData !== null && leaked.workerData !== undefined) return 'workerData: ' + Object.keys(leaked.workerData).join();
new leaked.Worker("require('node:fs').writeFileSync(" + JSON.stringify(c.marker) + ", '')", { eval: true });
await new Promise((resolve) => setTimeout(resolve, 500));`),
    capability: 'builtin',
    mentions: ['node:worker_threads (Worker)'],
  },
  {
    name: "node:sqlite handed out by undici's first load into a realm the plugin rigged",
    appliesTo: () => hasSqlite,
    files: () =>
      esm(`let sqlite;
const define = Object.defineProperty;
Object.defineProperty = function (target, name, descriptor) {
  if (typeof target === 'function' && descriptor !== undefined && descriptor.value === 'node:sqlite') sqlite = target();
  return define(target, name, descriptor);
};
try { globalThis.Request; } finally { Object.defineProperty = define; }
if (sqlite === undefined) throw new Error('undici handed out nothing');
new sqlite.DatabaseSync(c.marker).exec('create table stolen (value text)');`),
    capability: 'builtin',
    mentions: ['node:sqlite (DatabaseSync)'],
  },
];
