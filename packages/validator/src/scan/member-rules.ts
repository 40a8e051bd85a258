import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_CONSTRUCTOR_VALUE,
  literalValue,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { FOLDABLE_ARRAY_METHODS, FOLDABLE_STRING_METHODS } from './fold-builtins';
import { depthOf } from './fold-operators';
import { GLOBAL_ALIASES, GLOBAL_VALUES, NON_FUNCTION_GLOBALS, SENSITIVE_GLOBALS } from './global-values';
import { moduleKindOf } from './module-table';
import type { ScanReporter } from './scan-reporter';
import { PLUGIN_FOLDER_MARKER } from './scan-result';

/** The deepest dotted path a global or module member keeps; deeper members are unknown. */
const MAX_GLOBAL_PATH_DEPTH = 5;

/** `x.constructor` of something not known to be a function; immutable, so shared. */
export const CONSTRUCTOR_OF_VALUE: AbstractValue = { kind: 'constructor-of' };

/** What the scan knows about `object[key]`; records env reads and unknown members of sensitive objects. */
export function getMember(
  reporter: ScanReporter,
  object: AbstractValue,
  key: string | undefined,
  node: BabelTypes.Node,
): AbstractValue {
  // Any object's constructor's constructor is Function: `this.constructor.constructor(code)`.
  // UNKNOWN, the commonest object, is answered before reading `kind`.
  if (object === UNKNOWN) return key === 'constructor' ? CONSTRUCTOR_OF_VALUE : UNKNOWN;
  switch (object.kind) {
    case 'global': {
      if (object.path === 'process.env') {
        reporter.report(
          'ENV_READ',
          node,
          key === undefined
            ? 'reads process.env with a key that is not statically known'
            : `reads process.env.${key}`,
          key ?? null,
        );
        return UNKNOWN;
      }
      if (key === undefined) {
        return SENSITIVE_GLOBALS.has(object.path)
          ? { kind: 'unresolved-member', base: object.path }
          : UNKNOWN;
      }
      if (key === 'constructor') {
        return NON_FUNCTION_GLOBALS.has(object.path)
          ? { kind: 'constructor-of' }
          : FUNCTION_CONSTRUCTOR_VALUE;
      }
      if ((key === 'call' || key === 'apply' || key === 'bind') && !NON_FUNCTION_GLOBALS.has(object.path))
        return { kind: 'invoker', target: object, mode: key };
      if (object.path === 'import.meta') {
        return key === 'dirname' ? literalValue(PLUGIN_FOLDER_MARKER) : UNKNOWN;
      }
      return globalAt(object.path === 'globalThis' ? key : `${object.path}.${key}`);
    }
    case 'module': {
      if (key === undefined) {
        const kind = moduleKindOf(object.module);
        return kind === 'path' || kind === 'process'
          ? UNKNOWN
          : {
              kind: 'unresolved-member',
              base: object.path ? `${object.module}.${object.path}` : object.module,
            };
      }
      if (key === 'constructor') return object.path ? FUNCTION_CONSTRUCTOR_VALUE : { kind: 'constructor-of' };
      if (key === 'call' || key === 'apply' || key === 'bind')
        return { kind: 'invoker', target: object, mode: key };
      if (key === 'default' && object.path === '') return object;
      if (object.module === 'module' && object.path === '' && key === 'prototype') {
        return { kind: 'module', module: 'module', path: 'prototype' };
      }
      if (depthOf(object.path) >= MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
      return { kind: 'module', module: object.module, path: object.path ? `${object.path}.${key}` : key };
    }
    case 'literal': {
      if (key === undefined) return UNKNOWN;
      if (key === 'constructor') return { kind: 'constructor-of' };
      if (typeof object.value === 'string') {
        if (key === 'length') return literalValue(object.value.length);
        if (FOLDABLE_STRING_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
        if (/^\d+$/.test(key)) return literalValue(object.value[Number(key)]);
      }
      if (typeof object.value === 'number' && key === 'toString')
        return { kind: 'method', receiver: object, name: key };
      return UNKNOWN;
    }
    case 'array': {
      if (key === undefined) return UNKNOWN;
      if (key === 'constructor') return { kind: 'constructor-of' };
      if (key === 'length') return literalValue(object.elements.length);
      if (FOLDABLE_ARRAY_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
      if (/^\d+$/.test(key)) return object.elements[Number(key)] ?? UNDEFINED_VALUE;
      return UNKNOWN;
    }
    case 'object': {
      if (key === undefined) return UNKNOWN;
      const property = object.properties.get(key);
      if (property !== undefined) return property;
      return key === 'constructor' ? { kind: 'constructor-of' } : UNKNOWN;
    }
    case 'text':
      return key === 'constructor' ? { kind: 'constructor-of' } : UNKNOWN;
    case 'function':
      if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
      return UNKNOWN;
    case 'constructor-of':
      return key === 'constructor' ? FUNCTION_CONSTRUCTOR_VALUE : UNKNOWN;
    case 'method':
    case 'invoker':
      if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
      if (key === 'call' || key === 'apply' || key === 'bind')
        return { kind: 'invoker', target: object, mode: key };
      return UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** The value of the global at a dotted path (`process.env`, `Buffer.from`), aliases resolved. */
function globalAt(path: string): AbstractValue {
  const alias = GLOBAL_ALIASES.get(path);
  if (alias !== undefined) return alias;
  const dot = path.indexOf('.');
  if (dot < 0) return GLOBAL_VALUES.get(path) ?? UNKNOWN;
  if (depthOf(path) > MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
  return { kind: 'global', path };
}
