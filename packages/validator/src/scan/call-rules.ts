import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_VALUE,
  MAYBE_GLOBAL_VALUE,
  propertyKeyOf,
  SYMBOL_VALUE,
  TEXT_VALUE,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { reportEscape, reportWholeValueUse } from './escape-rules';
import { foldGlobalCall, foldMethodCall } from './fold-builtins';
import { callGlobal } from './global-rules';
import { CALLER_VALUE, getMember } from './member-rules';
import { callModule } from './module-rules';
import type { ScanEngine } from './scan-reporter';

/** One call: where it is, what it passes, and how it calls. */
export interface CallSite {
  node: BabelTypes.Node;
  args: readonly AbstractValue[];
  /** `new callee(...)`. */
  isNew: boolean;
  /** A call without a receiver (`f()`, `(0, f)()`, `f.call(null)`), where a sloppy `this` is the global object. */
  plain: boolean;
}

/** Pure built-ins a dangerous value may be given without escaping: they read it, or hand it back. */
const READS_ONLY: ReadonlySet<string> = new Set([
  'Object.keys',
  'Object.getOwnPropertyNames',
  'Object.getOwnPropertySymbols',
  'Object.isFrozen',
  'Object.isSealed',
  'Object.isExtensible',
  'Object.hasOwn',
  'Object.is',
  'Reflect.ownKeys',
  'Reflect.has',
  'Array.isArray',
  'JSON.stringify',
]);

/** Built-in methods that only read their `this` (`Object.prototype.hasOwnProperty.call(o, key)`). */
const READS_THIS: ReadonlySet<string> = new Set([
  'Object.prototype.hasOwnProperty',
  'Object.prototype.propertyIsEnumerable',
  'Object.prototype.isPrototypeOf',
  'Object.prototype.toString',
  'Array.isArray',
]);

/** `process.exit.bind(process)`: a member of a global or module given its own object as `this`. */
function isOwnMethod(target: AbstractValue, thisArgument: AbstractValue): boolean {
  if (target.kind === 'global' && thisArgument.kind === 'global') {
    // A member of the global object has no dotted path of its own (`global.gc` is `gc`).
    if (thisArgument.path === 'globalThis') return !target.path.includes('.');
    return target.path.startsWith(`${thisArgument.path}.`);
  }
  if (target.kind === 'module' && thisArgument.kind === 'module')
    return target.module === thisArgument.module && target.path.startsWith(thisArgument.path);
  return false;
}

/** Built-ins that return their first argument. */
const RETURNS_ARGUMENT: ReadonlySet<string> = new Set([
  'Object.freeze',
  'Object.seal',
  'Object.preventExtensions',
]);

function isNullish(value: AbstractValue | undefined): boolean {
  return (
    value === undefined || (value.kind === 'literal' && (value.value === null || value.value === undefined))
  );
}

/** Whether a value is a string, known or not. */
function isStringValue(value: AbstractValue): boolean {
  return value.kind === 'text' || (value.kind === 'literal' && typeof value.value === 'string');
}

/** Whether a value may be a string: anything but a known number, boolean, null, object, array or function. */
function mayBeString(value: AbstractValue): boolean {
  if (value === UNKNOWN) return true;
  const { kind } = value;
  if (kind === 'literal') return typeof value.value === 'string';
  return kind !== 'object' && kind !== 'array' && kind !== 'function';
}

function listOf(value: AbstractValue | undefined): readonly AbstractValue[] {
  return value?.kind === 'array' ? value.elements : [UNKNOWN];
}

/**
 * Applies a call of `callee`: follows `call`/`apply`/`bind` and the reflective calls to what
 * really runs, hands functions of the file their arguments, records the capability the call
 * uses, and returns what the call folds to.
 */
export function callValue(engine: ScanEngine, callee: AbstractValue, site: CallSite): AbstractValue {
  const { args, node } = site;
  switch (callee.kind) {
    case 'global':
      return callGlobalValue(engine, callee.path, site);
    case 'module':
      return callModule(engine, { module: callee.module, path: callee.path, args, node, isNew: site.isNew });
    case 'method':
      return foldMethodCall(callee.receiver, callee.name, args as AbstractValue[]);
    case 'function':
      return engine.callFunction(callee, args, node, site.plain && !site.isNew);
    case 'invoker': {
      const target = callee.target;
      // `f.call.bind(g)`, `f.call.call(g, ...)`: the `this` given to call/apply is what runs.
      if (target.kind === 'invoker') {
        const rebound: AbstractValue = { kind: 'invoker', target: args[0] ?? UNKNOWN, mode: target.mode };
        if (callee.mode === 'bind') return rebound;
        const rest = callee.mode === 'call' ? args.slice(1) : listOf(args[1]);
        return callValue(engine, rebound, { ...site, args: rest });
      }
      const thisArgument = args[0];
      // The `this` given to a built-in the scan does not follow is handed to it like an argument.
      if (
        thisArgument !== undefined &&
        thisArgument !== UNKNOWN &&
        (target.kind === 'global' || target.kind === 'module' || target.kind === 'method') &&
        !(target.kind === 'global' && READS_THIS.has(target.path)) &&
        !isOwnMethod(target, thisArgument)
      )
        reportEscape(engine, thisArgument, node, `is given as \`this\` to ${callee.mode}`);
      if (callee.mode === 'bind') return target;
      const rest = callee.mode === 'call' ? args.slice(1) : listOf(args[1]);
      return callValue(engine, target, { ...site, args: rest, plain: isNullish(thisArgument) });
    }
    case 'constructor-of': {
      // `x.constructor(code)`: when x is a function, that is `Function(code)`. Given strings (a
      // body, parameter names) it is taken to be; real code calls a constructor so with data, and
      // with `new` (`new this.constructor(value)`). Called plainly with a value not statically
      // known (`Math.max.constructor(text)`, x any function), it may be Function too.
      const last = args[args.length - 1];
      if (last !== undefined && (isStringValue(last) || (!site.isNew && mayBeString(last))))
        return callGlobalValue(engine, 'Function', site);
      for (const argument of args)
        reportEscape(engine, argument, node, 'is passed to a function the scan cannot follow');
      return UNKNOWN;
    }
    case 'unresolved-member':
      engine.report(
        'DYNAMIC_MEMBER_CALL',
        node,
        `calls a member of ${callee.base} whose name is not statically known`,
      );
      reportEscape(engine, callee, node, 'is called by a name not statically known');
      for (const argument of args)
        reportEscape(engine, argument, node, 'is passed to a function the scan cannot follow');
      return UNKNOWN;
    default:
      for (const argument of args)
        reportEscape(engine, argument, node, 'is passed to a function the scan cannot follow');
      return UNKNOWN;
  }
}

/** The descriptor `Object.getOwnPropertyDescriptor(object, key)` folds to: its value is the member. */
function descriptorOf(engine: ScanEngine, site: CallSite): AbstractValue {
  const [object, keyValue] = site.args;
  if (object === undefined || object === UNKNOWN) return UNKNOWN;
  const key = keyValue === undefined ? undefined : propertyKeyOf(keyValue);
  const member = getMember(engine, object, key, site.node);
  if (member === UNKNOWN) return UNKNOWN;
  return {
    kind: 'object',
    properties: new Map([
      ['value', member],
      ['get', FUNCTION_VALUE],
    ]),
  };
}

/**
 * A call of a global: the reflective calls that move values around are followed, the pure
 * built-ins that only read what they are given let it pass, and the rest are capability rules.
 */
function callGlobalValue(engine: ScanEngine, path: string, site: CallSite): AbstractValue {
  const { args, node } = site;
  switch (path) {
    // A stack frame's function is one the scan does not see; a sloppy frame's `this`, the global object.
    case 'CallSite.getFunction':
      return CALLER_VALUE;
    case 'CallSite.getThis':
      return MAYBE_GLOBAL_VALUE;
    case 'Symbol':
    case 'Symbol.for':
      return SYMBOL_VALUE;
    case 'Reflect.get': {
      const key = args[1] === undefined ? undefined : propertyKeyOf(args[1]);
      return getMember(engine, args[0] ?? UNKNOWN, key, node);
    }
    case 'Reflect.apply': {
      const target = args[0] ?? UNKNOWN;
      // `Reflect.apply(Function.prototype.call, fn, list)`: the call method runs its `this`.
      const callee: AbstractValue =
        target.kind === 'invoker'
          ? { kind: 'invoker', target: args[1] ?? UNKNOWN, mode: target.mode }
          : target;
      return callValue(engine, callee, {
        ...site,
        args: listOf(args[2]),
        isNew: false,
        plain: isNullish(args[1]),
      });
    }
    case 'Reflect.construct':
      return callValue(engine, args[0] ?? UNKNOWN, {
        ...site,
        args: listOf(args[1]),
        isNew: true,
        plain: false,
      });
    case 'Object.getPrototypeOf':
    case 'Reflect.getPrototypeOf':
      return args[0]?.kind === 'function' ? FUNCTION_VALUE : UNKNOWN;
    case 'Object.getOwnPropertyDescriptor':
    case 'Reflect.getOwnPropertyDescriptor':
      return descriptorOf(engine, site);
    case 'Object.assign': {
      // Objects the scan tracks merge as they would; anything else escapes into the call below.
      const target = args[0];
      const sources = args.slice(1);
      if (
        target?.kind === 'object' &&
        sources.every((source) => source.kind === 'object' || isNullish(source))
      ) {
        for (const source of sources) {
          if (source.kind === 'object')
            for (const [key, value] of source.properties) target.properties.set(key, value);
        }
        return target;
      }
      break;
    }
    case 'Object.defineProperty':
    case 'Reflect.defineProperty': {
      // The target is written, not handed on: only what the descriptor stores escapes (an
      // interop helper re-exports a module's members this way, which its callers account for).
      const descriptor = args[2] ?? UNDEFINED_VALUE;
      if (!engine.inHelper) reportEscape(engine, descriptor, node, `is stored by ${path}`);
      return args[0] ?? UNKNOWN;
    }
    default:
      break;
  }
  if (path === 'String') {
    // `String(x)` folds when x does; otherwise it is some string, and x is only read.
    const folded = foldGlobalCall(path, args as AbstractValue[]);
    return folded !== undefined && folded !== UNKNOWN ? folded : TEXT_VALUE;
  }
  if (READS_ONLY.has(path)) {
    for (const argument of args) reportWholeValueUse(engine, argument, node);
    return path === 'JSON.stringify' ? TEXT_VALUE : UNKNOWN;
  }
  if (RETURNS_ARGUMENT.has(path)) return args[0] ?? UNKNOWN;
  // A method of a collection of module objects (`module.children.map(...)`) hands them over.
  if (path.startsWith('module.children.') || path.startsWith('require.cache.')) {
    const receiverEnd = path.lastIndexOf('.');
    reportEscape(
      engine,
      { kind: 'global', path: path.slice(0, receiverEnd) },
      node,
      `is handed to its method ${path.slice(receiverEnd + 1)}`,
    );
  }
  return callGlobal(engine, path, site);
}
