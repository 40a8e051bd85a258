import type * as BabelTypes from '@babel/types';
import { type AbstractValue, FUNCTION_VALUE, propertyKeyOf, UNKNOWN } from './abstract-value';
import { reportEscapedValue } from './escape-rules';
import { foldMethodCall } from './fold-builtins';
import { callGlobal } from './global-rules';
import { getMember } from './member-rules';
import { callModule } from './module-rules';
import type { ScanReporter } from './scan-reporter';

/**
 * Applies a call of `callee` to `args`: follows `call`/`apply`/`bind` and the reflective calls
 * to what really runs, records the capability it uses and returns what the call folds to.
 */
export function callValue(
  reporter: ScanReporter,
  callee: AbstractValue,
  args: AbstractValue[],
  node: BabelTypes.Node,
  isNew: boolean,
): AbstractValue {
  switch (callee.kind) {
    case 'global':
      return callGlobalValue(reporter, callee.path, args, node, isNew);
    case 'module':
      return callModule(reporter, { module: callee.module, path: callee.path, args, node, isNew });
    case 'method':
      return foldMethodCall(callee.receiver, callee.name, args);
    case 'invoker': {
      const target = callee.target;
      // `f.call.bind(g)`, `f.call.call(g, ...)`: the `this` given to call/apply is what runs.
      if (target.kind === 'invoker') {
        const rebound: AbstractValue = { kind: 'invoker', target: args[0] ?? UNKNOWN, mode: target.mode };
        if (callee.mode === 'bind') return rebound;
        const rest =
          callee.mode === 'call' ? args.slice(1) : args[1]?.kind === 'array' ? args[1].elements : [UNKNOWN];
        return callValue(reporter, rebound, rest, node, isNew);
      }
      if (callee.mode === 'bind') return target;
      if (callee.mode === 'call') return callValue(reporter, target, args.slice(1), node, isNew);
      return callValue(
        reporter,
        target,
        args[1]?.kind === 'array' ? args[1].elements : [UNKNOWN],
        node,
        isNew,
      );
    }
    case 'unresolved-member':
      reporter.report(
        'DYNAMIC_MEMBER_CALL',
        node,
        `calls a member of ${callee.base} whose name is not statically known`,
      );
      return UNKNOWN;
    default:
      for (const argument of args) reportEscapedValue(reporter, argument, node);
      return UNKNOWN;
  }
}

/**
 * A call of a global: the reflective calls that move values around (`Reflect.get`,
 * `Reflect.apply`, `Object.getPrototypeOf`) are followed here; the rest are capability rules.
 */
function callGlobalValue(
  reporter: ScanReporter,
  path: string,
  args: AbstractValue[],
  node: BabelTypes.Node,
  isNew: boolean,
): AbstractValue {
  switch (path) {
    case 'Reflect.get': {
      const key = args[1] === undefined ? undefined : propertyKeyOf(args[1]);
      return getMember(reporter, args[0] ?? UNKNOWN, key, node);
    }
    case 'Reflect.apply': {
      const list = args[2];
      return callValue(
        reporter,
        args[0] ?? UNKNOWN,
        list?.kind === 'array' ? list.elements : [UNKNOWN],
        node,
        false,
      );
    }
    case 'Reflect.construct': {
      const list = args[1];
      return callValue(
        reporter,
        args[0] ?? UNKNOWN,
        list?.kind === 'array' ? list.elements : [UNKNOWN],
        node,
        true,
      );
    }
    case 'Object.getPrototypeOf':
    case 'Reflect.getPrototypeOf':
      return args[0]?.kind === 'function' ? FUNCTION_VALUE : UNKNOWN;
    default:
      return callGlobal(reporter, path, args, node, isNew);
  }
}
