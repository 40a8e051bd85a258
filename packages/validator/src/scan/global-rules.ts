import type * as BabelTypes from '@babel/types';
import { type AbstractValue, FUNCTION_VALUE, stringOf, UNKNOWN } from './abstract-value';
import { reportEscapedValue } from './escape-rules';
import { foldGlobalCall } from './fold-builtins';
import { importModule } from './import-rules';
import { reportNetwork } from './module-rules';
import { preview, type ScanReporter } from './scan-reporter';

/** Function bodies that `Function(...)` may build without it being a finding (globalThis shims). */
const BENIGN_FUNCTION_BODIES: ReadonlySet<string> = new Set(['return this', 'return this;']);

/**
 * The capability rules for a call of a global by its canonical path (`eval`, `require`,
 * `process.binding`, `fetch`, ...): records what the call uses and returns what it folds to.
 * Calls the rules do not know fold when they build strings, and otherwise report the dangerous
 * values passed to them.
 */
export function callGlobal(
  reporter: ScanReporter,
  path: string,
  args: readonly AbstractValue[],
  node: BabelTypes.Node,
  isNew: boolean,
): AbstractValue {
  switch (path) {
    case 'require':
      return importModule(reporter, args[0] ?? UNKNOWN, node, 'require');
    case 'require.resolve':
      return UNKNOWN;
    case 'eval': {
      const code = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'EVAL_CALL',
        node,
        code === undefined ? 'evaluates code with eval' : `evaluates code with eval: ${preview(code)}`,
      );
      return UNKNOWN;
    }
    case 'Function': {
      const body =
        args.length === 0
          ? ''
          : args[args.length - 1] === undefined
            ? undefined
            : stringOf(args[args.length - 1]!);
      if (body !== undefined && BENIGN_FUNCTION_BODIES.has(body.trim())) return FUNCTION_VALUE;
      reporter.report(
        'FUNCTION_CONSTRUCTOR',
        node,
        `builds a function from a string with ${isNew ? 'new ' : ''}Function${body === undefined ? '' : `: ${preview(body)}`}`,
      );
      return FUNCTION_VALUE;
    }
    case 'setTimeout':
    case 'setInterval': {
      const first = args[0];
      if (first?.kind === 'literal' && typeof first.value === 'string') {
        reporter.report('STRING_TIMER', node, `passes a string of code to ${path}: ${preview(first.value)}`);
      } else if (first?.kind === 'text') {
        reporter.report('STRING_TIMER', node, `passes a string of code built at run time to ${path}`);
      } else if (first !== undefined) {
        reportEscapedValue(reporter, first, node);
      }
      return UNKNOWN;
    }
    case 'fetch':
    case 'WebSocket':
    case 'EventSource':
    case 'navigator.sendBeacon':
      return reportNetwork(reporter, path, args, node);
    case 'XMLHttpRequest':
      reporter.report('NETWORK_REQUEST', node, 'opens an XMLHttpRequest', null);
      return UNKNOWN;
    case 'process.binding':
    case 'process._linkedBinding': {
      const name = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'PROCESS_BINDING',
        node,
        `calls ${path}(${name === undefined ? '...' : JSON.stringify(name)})`,
      );
      return UNKNOWN;
    }
    case 'process.dlopen':
      reporter.report('NATIVE_ADDON', node, 'loads a native addon with process.dlopen');
      return UNKNOWN;
    case 'Bun.spawn':
    case 'Bun.spawnSync':
    case 'Bun.$':
    case 'Deno.run':
    case 'Deno.Command':
      reporter.report('SHELL_EXEC', node, `starts a process with ${path}`);
      return UNKNOWN;
    default: {
      const folded = foldGlobalCall(path, args as AbstractValue[]);
      if (folded !== undefined) return folded;
      for (const argument of args) reportEscapedValue(reporter, argument, node);
      return UNKNOWN;
    }
  }
}
