// Keeps plugin code out of Node's own array writes. Node's internal JavaScript fills arrays by
// index (`list[index] = value` on `Array(length)`, `push`), and such a write looks up the index on
// Array.prototype and Object.prototype first. An accessor there (or a Proxy put into the chain)
// runs plugin code inside the write and can leave the element unset; an array handed to C++ that
// way fails a native assertion (on Node 20, ModuleWrap::Link during a dynamic import), which aborts
// the whole process, host included in the worker tier. So on those two prototypes an accessor at an
// array index cannot be defined, Array.prototype's prototype cannot be changed, and neither can
// be the target of a Proxy (a Proxy without traps would define on its target natively). Data
// properties stay allowed: a write through a writable one lands on the array itself, and a
// read-only one makes the write throw in Node's strict code instead of lying to it.
import {
  apply,
  construct,
  defineProperty,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  numberIsInteger,
  objectHasOwn,
  ownKeys,
  SafeNumber,
  SafeProxy,
  SafeString,
  SafeTypeError,
} from './primordials.mjs';

// Captured now: the plugin may later replace the globals `Object`, `Array` and `Proxy`.
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
const arrayPrototypeParent = getPrototypeOf(ArrayPrototype);
const descriptorFields = ['enumerable', 'configurable', 'value', 'writable', 'get', 'set'];

function isProtected(target) {
  return target === ObjectPrototype || target === ArrayPrototype;
}

function nameOf(target) {
  return target === ArrayPrototype ? 'Array.prototype' : 'Object.prototype';
}

/** ToPropertyKey, run once: an object key cannot answer our check one key and the engine another. */
function toPropertyKey(raw) {
  return ownKeys({ __proto__: null, [raw]: 0 })[0];
}

function isArrayIndex(key) {
  if (typeof key !== 'string') return false;
  const number = SafeNumber(key);
  return numberIsInteger(number) && number >= 0 && number < 4294967295 && SafeString(number) === key;
}

/**
 * ToPropertyDescriptor, run once into a null-prototype copy, so getters on the attributes object
 * cannot show our check a data property and the engine an accessor.
 */
function snapshotDescriptor(attributes) {
  if ((typeof attributes !== 'object' && typeof attributes !== 'function') || attributes === null) {
    throw new SafeTypeError('Property description must be an object');
  }
  const copy = { __proto__: null };
  for (let index = 0; index < descriptorFields.length; index += 1) {
    const field = descriptorFields[index];
    if (field in attributes) {
      defineProperty(copy, field, { __proto__: null, value: attributes[field], enumerable: true });
    }
  }
  return copy;
}

function isAccessor(descriptor) {
  return objectHasOwn(descriptor, 'get') || objectHasOwn(descriptor, 'set');
}

/** Replaces a function with a Proxy that runs `check` first (a Proxy keeps its name, length and native look). */
function wrapFunction(original, check) {
  return new SafeProxy(original, {
    __proto__: null,
    apply(target, thisArgument, argumentList) {
      return check(target, thisArgument, argumentList);
    },
  });
}

function replaceMethod(owner, name, check) {
  const descriptor = getOwnPropertyDescriptor(owner, name);
  defineProperty(owner, name, {
    __proto__: null,
    value: wrapFunction(descriptor.value, check),
    writable: descriptor.writable,
    enumerable: descriptor.enumerable,
    configurable: descriptor.configurable,
  });
}

/** Installs the guard; `policy` words the refusals and reports them to the host. */
export function guardArrayPrototypes(policy) {
  const refuse = (what) => policy.denyEscapeHatch('builtin', what);

  /** Returns the key to define with, or throws for an accessor at an index of a protected prototype. */
  function checkedKey(target, rawKey, descriptor) {
    const key = toPropertyKey(rawKey);
    if (isArrayIndex(key) && isAccessor(descriptor)) {
      throw refuse(`an accessor at ${nameOf(target)}[${key}] (Node's own array writes would run it)`);
    }
    return key;
  }

  function checkPrototypeChange(target, prototype) {
    if (target === ArrayPrototype && prototype !== arrayPrototypeParent) {
      throw refuse("a new prototype for Array.prototype (Node's own array writes would run through it)");
    }
  }

  const defineOne = (original, thisArgument, argumentList) => {
    const target = argumentList[0];
    if (!isProtected(target)) return apply(original, thisArgument, argumentList);
    const descriptor = snapshotDescriptor(argumentList[2]);
    const key = checkedKey(target, argumentList[1], descriptor);
    return apply(original, thisArgument, [target, key, descriptor]);
  };
  replaceMethod(Object, 'defineProperty', defineOne);
  replaceMethod(Reflect, 'defineProperty', defineOne);

  replaceMethod(Object, 'defineProperties', (original, thisArgument, argumentList) => {
    const target = argumentList[0];
    if (!isProtected(target)) return apply(original, thisArgument, argumentList);
    const source = argumentList[1];
    // A primitive has no accessor to give (a string's characters fail as descriptors natively).
    if ((typeof source !== 'object' && typeof source !== 'function') || source === null) {
      return apply(original, thisArgument, argumentList);
    }
    const copy = { __proto__: null };
    const keys = ownKeys(source);
    for (let index = 0; index < keys.length; index += 1) {
      const own = getOwnPropertyDescriptor(source, keys[index]);
      if (own === undefined || !own.enumerable) continue;
      const descriptor = snapshotDescriptor(source[keys[index]]);
      defineProperty(copy, checkedKey(target, keys[index], descriptor), {
        __proto__: null,
        value: descriptor,
        enumerable: true,
      });
    }
    return apply(original, thisArgument, [target, copy]);
  });

  const accessorDefiner = (field) => (original, thisArgument, argumentList) => {
    if (!isProtected(thisArgument)) return apply(original, thisArgument, argumentList);
    const key = checkedKey(thisArgument, argumentList[0], { __proto__: null, [field]: argumentList[1] });
    return apply(original, thisArgument, [key, argumentList[1]]);
  };
  replaceMethod(Object.prototype, '__defineGetter__', accessorDefiner('get'));
  replaceMethod(Object.prototype, '__defineSetter__', accessorDefiner('set'));

  const setPrototype = (original, thisArgument, argumentList) => {
    checkPrototypeChange(argumentList[0], argumentList[1]);
    return apply(original, thisArgument, argumentList);
  };
  replaceMethod(Object, 'setPrototypeOf', setPrototype);
  replaceMethod(Reflect, 'setPrototypeOf', setPrototype);
  const protoAccessor = getOwnPropertyDescriptor(Object.prototype, '__proto__');
  defineProperty(Object.prototype, '__proto__', {
    __proto__: null,
    get: protoAccessor.get,
    set: wrapFunction(protoAccessor.set, (original, thisArgument, argumentList) => {
      checkPrototypeChange(thisArgument, argumentList[0]);
      return apply(original, thisArgument, argumentList);
    }),
    enumerable: protoAccessor.enumerable,
    configurable: protoAccessor.configurable,
  });

  const checkProxyTarget = (target) => {
    if (isProtected(target)) {
      throw refuse(`a Proxy of ${nameOf(target)} (it would define on ${nameOf(target)} around this guard)`);
    }
  };
  replaceMethod(Proxy, 'revocable', (original, thisArgument, argumentList) => {
    checkProxyTarget(argumentList[0]);
    return apply(original, thisArgument, argumentList);
  });
  const GuardedProxy = new SafeProxy(Proxy, {
    __proto__: null,
    construct(target, argumentList) {
      checkProxyTarget(argumentList[0]);
      return construct(target, argumentList);
    },
  });
  const globalProxy = getOwnPropertyDescriptor(globalThis, 'Proxy');
  defineProperty(globalThis, 'Proxy', {
    __proto__: null,
    value: GuardedProxy,
    writable: globalProxy.writable,
    enumerable: globalProxy.enumerable,
    configurable: globalProxy.configurable,
  });
}
