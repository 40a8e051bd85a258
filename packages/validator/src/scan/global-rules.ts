import { type AbstractValue, GLOBAL_RETURNING_FUNCTION, stringOf, UNKNOWN } from './abstract-value';
import type { CallSite } from './call-rules';
import { reportEscape } from './escape-rules';
import { foldGlobalCall, foldJsonParse } from './fold-builtins';
import { importModule } from './import-rules';
import { reportNetwork } from './module-rules';
import { preview, type ScanReporter } from './scan-reporter';

/** Function bodies that `Function(...)` may build without it being a finding (globalThis shims). */
const BENIGN_FUNCTION_BODIES: ReadonlySet<string> = new Set(['return this', 'return this;']);

/** `require.extensions[...]` called directly: what the loader of that extension does. */
function callExtensionLoader(reporter: ScanReporter, path: string, site: CallSite): AbstractValue {
  const file = site.args[1] === undefined ? undefined : stringOf(site.args[1]);
  const shown = file === undefined ? 'a file' : JSON.stringify(file);
  if (path !== 'require.extensions:code') {
    reporter.report('NATIVE_ADDON', site.node, `loads ${shown} as a native addon through require.extensions`);
  }
  if (path !== 'require.extensions:native') {
    reporter.report('MODULE_COMPILE', site.node, `runs ${shown} as code through require.extensions`);
  }
  return UNKNOWN;
}

/**
 * The capability rules for a call of a global by its canonical path (`eval`, `require`,
 * `process.binding`, `fetch`, ...): records what the call uses and returns what it folds to.
 * Calls the rules do not know fold when they build strings, and otherwise report the dangerous
 * values passed to them.
 */
export function callGlobal(reporter: ScanReporter, path: string, site: CallSite): AbstractValue {
  const { args, node } = site;
  switch (path) {
    case 'require':
      return importModule(reporter, args[0] ?? UNKNOWN, node, 'require');
    case 'process.getBuiltinModule':
      return importModule(reporter, args[0] ?? UNKNOWN, node, 'process.getBuiltinModule');
    case 'require.resolve':
    case 'import.meta.resolve':
      // The path of the module the name names: loading it loads the same module.
      return args[0] ?? UNKNOWN;
    case 'require.resolve.paths':
      return UNKNOWN;
    case 'eval': {
      const code = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'EVAL_CALL',
        node,
        code === undefined ? 'evaluates code with eval' : `evaluates code with eval: ${preview(code)}`,
      );
      return code === undefined ? UNKNOWN : reporter.scanEvaluatedCode(code, node);
    }
    case 'Function': {
      const last = args[args.length - 1];
      const body = args.length === 0 ? '' : last === undefined ? undefined : stringOf(last);
      // Calling `Function('return this')` gives the global object: its value says so.
      if (body !== undefined && BENIGN_FUNCTION_BODIES.has(body.trim())) return GLOBAL_RETURNING_FUNCTION;
      reporter.report(
        'FUNCTION_CONSTRUCTOR',
        node,
        `builds a function from a string with ${site.isNew ? 'new ' : ''}Function${body === undefined ? '' : `: ${preview(body)}`}`,
      );
      if (body !== undefined) {
        const names = args.slice(0, -1).map((argument) => stringOf(argument) ?? '_');
        reporter.scanEvaluatedCode(body, node, names.join(','));
      }
      return UNKNOWN;
    }
    case 'module._compile': {
      const code = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'MODULE_COMPILE',
        node,
        `compiles a string as a module with module._compile${code === undefined ? '' : `: ${preview(code)}`}`,
      );
      // A module's code: its wrapper's require and module are the scan's globals.
      if (code !== undefined) reporter.scanEvaluatedCode(code, node);
      return UNKNOWN;
    }
    case 'require.extensions:native':
    case 'require.extensions:code':
    case 'require.extensions:any':
      return callExtensionLoader(reporter, path, site);
    case 'setTimeout':
    case 'setInterval': {
      const first = args[0];
      if (first?.kind === 'literal' && typeof first.value === 'string') {
        reporter.report('STRING_TIMER', node, `passes a string of code to ${path}: ${preview(first.value)}`);
        reporter.scanEvaluatedCode(first.value, node);
      } else if (first?.kind === 'text') {
        reporter.report('STRING_TIMER', node, `passes a string of code built at run time to ${path}`);
      } else if (first !== undefined) {
        reportEscape(reporter, first, node, `is passed to ${path}`);
      }
      // Arguments after the delay are handed to the callback.
      for (let index = 2; index < args.length; index++) {
        reportEscape(reporter, args[index]!, node, `is passed to ${path}, which hands it to its callback`);
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
    case 'process.execve':
      reporter.report('SHELL_EXEC', node, 'replaces the process with another program with process.execve');
      return UNKNOWN;
    case 'process.dlopen':
      reporter.report('NATIVE_ADDON', node, 'loads a native addon with process.dlopen');
      return UNKNOWN;
    case 'process.report.getReport':
      reporter.report(
        'ENV_READ',
        node,
        'reads every environment variable through process.report.getReport',
        null,
      );
      return UNKNOWN;
    case 'process.report.writeReport': {
      const file = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'ENV_READ',
        node,
        'writes every environment variable into a report with process.report.writeReport',
        null,
      );
      reporter.report(
        'FS_WRITE',
        node,
        `writes ${file ?? 'a report file'} with process.report.writeReport`,
        file ?? null,
      );
      return UNKNOWN;
    }
    case 'process.loadEnvFile': {
      const file = args[0] === undefined ? '.env' : stringOf(args[0]);
      reporter.report(
        'FS_READ',
        node,
        `reads ${file ?? 'a file not statically known'} with process.loadEnvFile`,
        file ?? null,
      );
      return UNKNOWN;
    }
    case 'Bun.spawn':
    case 'Bun.spawnSync':
    case 'Bun.$':
    case 'Deno.run':
    case 'Deno.Command':
      reporter.report('SHELL_EXEC', node, `starts a process with ${path}`);
      return UNKNOWN;
    case 'JSON.parse':
      // A reviver decides what every value becomes: the text alone says nothing then.
      return args.length > 1 ? UNKNOWN : foldJsonParse(args[0]);
    default: {
      const folded = foldGlobalCall(path, args as AbstractValue[]);
      if (folded !== undefined) return folded;
      for (const argument of args) reportEscape(reporter, argument, node, `is passed to ${path}`);
      return UNKNOWN;
    }
  }
}
