// Intrinsics captured before any plugin code runs. Everything that runs inside an isolated plugin
// and decides something (the policy, the guards, the call loop) uses these copies only: a plugin
// that replaces `String.prototype.startsWith`, `Array.prototype[Symbol.iterator]`,
// `RegExp.prototype.test`, `Set.prototype.has`, a getter on `URL.prototype` or `Reflect.apply` in
// its own realm cannot change what a check decides. Rules for code that uses them: no iteration
// protocol (for...of, spread of arrays, array destructuring), no method calls through a prototype,
// no regular expression methods other than `regexpExec`, and no writes to arrays or objects that
// could hit a setter on a prototype (use array literals and `defineProperty`).

const { apply, construct, ownKeys, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
const uncurryGetter = (prototype, name) => uncurryThis(getOwnPropertyDescriptor(prototype, name).get);

/** `String.prototype.startsWith`, uncurried. */
export const stringStartsWith = uncurryThis(String.prototype.startsWith);
/** `String.prototype.endsWith`, uncurried. */
export const stringEndsWith = uncurryThis(String.prototype.endsWith);
/** `String.prototype.toLowerCase`, uncurried. */
export const stringToLowerCase = uncurryThis(String.prototype.toLowerCase);
/** `String.prototype.slice`, uncurried. */
export const stringSlice = uncurryThis(String.prototype.slice);
/** `String.prototype.indexOf`, uncurried. */
export const stringIndexOf = uncurryThis(String.prototype.indexOf);
/** `String.prototype.lastIndexOf`, uncurried. */
export const stringLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
/** `String.prototype.charCodeAt`, uncurried. */
export const stringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
/** `String.prototype.split`, uncurried (only ever called with a string separator). */
export const stringSplit = uncurryThis(String.prototype.split);
/** `RegExp.prototype.exec`, uncurried: the only regular expression entry point the guards use. */
export const regexpExec = uncurryThis(RegExp.prototype.exec);
/** `Set.prototype.has`, uncurried. */
export const setHas = uncurryThis(Set.prototype.has);
/** `Set.prototype.add`, uncurried. */
export const setAdd = uncurryThis(Set.prototype.add);
/** `Set.prototype.delete`, uncurried. */
export const setDelete = uncurryThis(Set.prototype.delete);
/** The `Set.prototype.size` getter, uncurried. */
export const setSize = uncurryGetter(Set.prototype, 'size');
/** `Map.prototype.get`, uncurried. */
export const mapGet = uncurryThis(Map.prototype.get);
/** `Map.prototype.set`, uncurried. */
export const mapSet = uncurryThis(Map.prototype.set);
/** `Map.prototype.has`, uncurried. */
export const mapHas = uncurryThis(Map.prototype.has);
/** `Map.prototype.delete`, uncurried. */
export const mapDelete = uncurryThis(Map.prototype.delete);
/** The `Map.prototype.size` getter, uncurried. */
export const mapSize = uncurryGetter(Map.prototype, 'size');
/** `WeakSet.prototype.has`, uncurried. */
export const weakSetHas = uncurryThis(WeakSet.prototype.has);
/** `WeakSet.prototype.delete`, uncurried. */
export const weakSetDelete = uncurryThis(WeakSet.prototype.delete);
/** `WeakSet.prototype.add`, uncurried. */
export const weakSetAdd = uncurryThis(WeakSet.prototype.add);
/** `WeakMap.prototype.get`, uncurried. */
export const weakMapGet = uncurryThis(WeakMap.prototype.get);
/** `WeakMap.prototype.set`, uncurried. */
export const weakMapSet = uncurryThis(WeakMap.prototype.set);
/** `Function.prototype.toString`, uncurried. */
export const functionToString = uncurryThis(Function.prototype.toString);
/** `Promise.prototype.then`, uncurried. */
export const promiseThen = uncurryThis(Promise.prototype.then);
/** `Promise.resolve`, bound to the real Promise. */
export const promiseResolve = Promise.resolve.bind(Promise);
/** `Promise.reject`, bound to the real Promise. */
export const promiseReject = Promise.reject.bind(Promise);
/** `MessagePort.prototype.postMessage`, uncurried. */
export const portPostMessage = uncurryThis(globalThis.MessagePort.prototype.postMessage);
/** `Uint8Array.prototype.subarray`, uncurried. */
export const uint8ArraySubarray = uncurryThis(Uint8Array.prototype.subarray);
/** The `TypedArray.prototype.length` getter, uncurried. */
export const typedArrayLength = uncurryGetter(getPrototypeOf(Uint8Array.prototype), 'length');
/** The `TypedArray.prototype.buffer` getter, uncurried. */
export const typedArrayBuffer = uncurryGetter(getPrototypeOf(Uint8Array.prototype), 'buffer');
/** The `URL.prototype.hostname` getter, uncurried. */
export const urlHostname = uncurryGetter(URL.prototype, 'hostname');
/** The `URL.prototype.port` getter, uncurried. */
export const urlPort = uncurryGetter(URL.prototype, 'port');
/** The `URL.prototype.protocol` getter, uncurried. */
export const urlProtocol = uncurryGetter(URL.prototype, 'protocol');
/** The `URL.prototype.href` getter, uncurried. */
export const urlHref = uncurryGetter(URL.prototype, 'href');
/** `Error.captureStackTrace`. */
export const errorCaptureStackTrace = Error.captureStackTrace;

const utf8Decoder = new TextDecoder('utf-8');
const decode = uncurryThis(TextDecoder.prototype.decode);
/** Decodes UTF-8 bytes with the real TextDecoder. */
export function decodeUtf8(bytes) {
  return decode(utf8Decoder, bytes);
}

export const SafeSet = Set;
export const SafeMap = Map;
export const SafeWeakSet = WeakSet;
export const SafeWeakMap = WeakMap;
export const SafeError = Error;
export const SafeTypeError = TypeError;
export const SafeString = String;
export const SafeNumber = Number;
export const SafeURL = URL;
export const SafeUint8Array = Uint8Array;
export const SafePromise = Promise;
export const SafeProxy = Proxy;
export const SafeArrayBuffer = ArrayBuffer;
export const SafeSharedArrayBuffer = globalThis.SharedArrayBuffer;
export const isArray = Array.isArray;
export const numberIsInteger = Number.isInteger;
export const numberIsFinite = Number.isFinite;
export const objectIs = Object.is;
export const objectAssign = Object.assign;
export const objectCreate = Object.create;
export const objectFreeze = Object.freeze;
export const objectIsFrozen = Object.isFrozen;
export const objectKeys = Object.keys;
export const objectHasOwn = Object.hasOwn;
export const objectGetPrototypeOf = Object.getPrototypeOf;
export const objectSetPrototypeOf = Object.setPrototypeOf;
export const objectGetOwnPropertyNames = Object.getOwnPropertyNames;
export const objectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
export const symbolFor = Symbol.for;
export const jsonStringify = JSON.stringify;
export const jsonParse = JSON.parse;
export const mathMin = Math.min;
export const dateNow = Date.now;
export const nextTick = process.nextTick;
export const queueMicrotaskSafe = globalThis.queueMicrotask;
export { apply, construct, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, ownKeys, uncurryThis };

/**
 * A copy of an options object the plugin passed: its own enumerable properties, each read once
 * (getters run once), on a null prototype, so what a check reads is what Node is then given and
 * nothing can be inherited from a polluted `Object.prototype`. Non-objects give undefined.
 */
export function snapshotOptions(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  return objectAssign(objectCreate(null), value);
}

/** Reads an own data property without running getters or consulting prototypes; undefined otherwise. */
export function ownValue(target, name) {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) return undefined;
  const descriptor = getOwnPropertyDescriptor(target, name);
  return descriptor === undefined || !objectHasOwn(descriptor, 'value') ? undefined : descriptor.value;
}

/** Creates an array from arguments without touching the plugin-reachable Array prototype. */
export function arrayOf(...values) {
  return values;
}

/** Appends to an array the runtime owns, without consulting setters on Array.prototype. */
export function arrayAppend(array, value) {
  defineProperty(array, array.length, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Copies an array's elements from `start` on into a new array. Neither `Array.prototype.slice`
 * (it asks `constructor[Symbol.species]`, which the plugin can redefine) nor setters on the
 * prototype are involved.
 */
export function copyArray(array, start = 0) {
  const copy = [];
  const length = array.length;
  for (let index = start; index < length; index += 1) {
    defineProperty(copy, index - start, {
      value: array[index],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Copies `array` (the runtime's own) with `value` put at `index`; never calls prototype setters. */
export function arrayWith(array, index, value) {
  const copy = copyArray(array);
  defineProperty(copy, index, { value, writable: true, enumerable: true, configurable: true });
  return copy;
}

const functionApply = Function.prototype.apply;
const functionCall = Function.prototype.call;

/**
 * Makes a listener immune to a replaced `Function.prototype.apply` or `call`: Node's
 * EventEmitter invokes listeners with `handler.apply(this, args)`, looked up on the listener, so
 * an own property answers first.
 */
export function steadyListener(listener) {
  defineProperty(listener, 'apply', { value: functionApply });
  defineProperty(listener, 'call', { value: functionCall });
  return listener;
}

/** Replaces a property for good: not writable, not configurable. */
export function lockProperty(target, name, value) {
  defineProperty(target, name, { value, writable: false, enumerable: false, configurable: false });
}
