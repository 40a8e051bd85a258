import type * as BabelTypes from '@babel/types';
import { type AbstractValue, UNKNOWN } from './abstract-value';
import { classifyFileSystemCall, isShellCall, moduleKindOf } from './module-table';
import type { ScanReporter } from './scan-reporter';

/** A tracked value used as a whole (passed along, spread, iterated): report what it gives access to. */
export function reportWholeValueUse(
  reporter: ScanReporter,
  value: AbstractValue,
  node: BabelTypes.Node,
): void {
  if (value !== UNKNOWN && value.kind === 'global' && value.path === 'process.env') {
    reporter.report('ENV_READ', node, 'reads the whole of process.env', null);
  }
}

/** A dangerous function passed as a value (`[code].map(eval)`, `promisify(exec)`) counts as a use. */
export function reportEscapedValue(
  reporter: ScanReporter,
  value: AbstractValue,
  node: BabelTypes.Node,
): void {
  if (value === UNKNOWN) return;
  if (value.kind === 'global') {
    switch (value.path) {
      case 'eval':
        reporter.report('EVAL_CALL', node, 'passes eval as a value');
        return;
      case 'Function':
        reporter.report('FUNCTION_CONSTRUCTOR', node, 'passes the Function constructor as a value');
        return;
      case 'process.env':
        reportWholeValueUse(reporter, value, node);
        return;
      case 'process.binding':
      case 'process._linkedBinding':
        reporter.report('PROCESS_BINDING', node, `passes ${value.path} as a value`);
        return;
      case 'process.dlopen':
        reporter.report('NATIVE_ADDON', node, 'passes process.dlopen as a value');
        return;
      case 'fetch':
        reporter.report(
          'NETWORK_REQUEST',
          node,
          'passes fetch as a value; the target is not statically known',
          null,
        );
        return;
      default:
        return;
    }
  }
  if (value.kind === 'module' && value.path !== '') {
    const kind = moduleKindOf(value.module);
    const name = `${value.module}.${value.path}`;
    if (kind === 'shell' && isShellCall(value.module, value.path)) {
      reporter.report('SHELL_EXEC', node, `passes ${name} as a value`);
    } else if (kind === 'filesystem') {
      const access = classifyFileSystemCall(value.path, undefined);
      if (access === 'filesystem_read') reporter.report('FS_READ', node, `passes ${name} as a value`, null);
      if (access === 'filesystem_write') reporter.report('FS_WRITE', node, `passes ${name} as a value`, null);
    }
  }
}
