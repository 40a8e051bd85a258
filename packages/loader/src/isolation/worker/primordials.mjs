// Intrinsics captured before any plugin code runs. The policy uses these copies, so a plugin that
// replaces `String.prototype.startsWith`, `Set.prototype.has` or `Reflect.apply` in its own worker
// cannot change what the checks decide.

const { apply, construct, ownKeys, defineProperty, getOwnPropertyDescriptor } = Reflect;
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);

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
/** `RegExp.prototype.exec`, uncurried. */
export const regexpExec = uncurryThis(RegExp.prototype.exec);
/** `Set.prototype.has`, uncurried. */
export const setHas = uncurryThis(Set.prototype.has);
/** `Set.prototype.add`, uncurried. */
export const setAdd = uncurryThis(Set.prototype.add);
/** `Set.prototype.delete`, uncurried. */
export const setDelete = uncurryThis(Set.prototype.delete);
/** `Array.prototype.slice`, uncurried. */
export const arraySlice = uncurryThis(Array.prototype.slice);
/** `Array.prototype.push`, uncurried. */
export const arrayPush = uncurryThis(Array.prototype.push);
/** `Function.prototype.toString`, uncurried. */
export const functionToString = uncurryThis(Function.prototype.toString);
/** `Promise.prototype.then`, uncurried. */
export const promiseThen = uncurryThis(Promise.prototype.then);
/** `MessagePort.prototype.postMessage`, uncurried. */
export const portPostMessage = uncurryThis(globalThis.MessagePort.prototype.postMessage);

export const SafeSet = Set;
export const SafeError = Error;
export const SafeTypeError = TypeError;
export const SafeString = String;
export const SafeNumber = Number;
export const SafeURL = URL;
export const SafeUint8Array = Uint8Array;
export const SafePromise = Promise;
export const SafeProxy = Proxy;
export const isArray = Array.isArray;
export const objectAssign = Object.assign;
export const objectFreeze = Object.freeze;
export const objectKeys = Object.keys;
export const objectHasOwn = Object.hasOwn;
export const objectGetPrototypeOf = Object.getPrototypeOf;
export const objectGetOwnPropertyNames = Object.getOwnPropertyNames;
export const symbolFor = Symbol.for;
export const nextTick = process.nextTick;
export { apply, construct, defineProperty, getOwnPropertyDescriptor, ownKeys };
