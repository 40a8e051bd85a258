import type * as BabelTypes from '@babel/types';
import { type AbstractValue, stringOf, UNKNOWN } from './abstract-value';
import { lookupModule, normaliseSpecifier } from './module-table';
import { preview, type ScanReporter } from './scan-reporter';

/**
 * Records a module load (require, import, import(), re-export) and returns the module's value:
 * a shell, eval or network module is a finding where it is loaded, a data: URL or a .node file
 * is one too, and a name folding cannot resolve is a `dynamic` finding.
 */
export function importModule(
  reporter: ScanReporter,
  specifier: AbstractValue,
  node: BabelTypes.Node,
  how: string,
): AbstractValue {
  const name = stringOf(specifier);
  if (name === undefined) {
    reporter.report('DYNAMIC_IMPORT', node, `loads a module with ${how} whose name is not statically known`);
    return UNKNOWN;
  }
  reporter.recordImport(name, node);
  if (name.startsWith('data:')) {
    reporter.report('DATA_URL_IMPORT', node, `imports code from a data: URL with ${how}: ${preview(name)}`);
    return UNKNOWN;
  }
  if (/\.node$/i.test(name)) {
    reporter.report('NATIVE_ADDON', node, `loads the native addon ${JSON.stringify(name)} with ${how}`);
    return UNKNOWN;
  }
  const tracked = lookupModule(name);
  if (tracked === undefined) return UNKNOWN;
  const shown = normaliseSpecifier(name);
  switch (tracked.kind) {
    case 'shell':
      reporter.report('SHELL_MODULE', node, `imports ${shown}, which runs processes`);
      break;
    case 'eval':
      reporter.report('VM_MODULE', node, `imports ${shown}, which evaluates code`);
      break;
    case 'network':
      reporter.report('NETWORK_MODULE', node, `imports the network module ${shown}`);
      break;
    case 'process':
      return { kind: 'global', path: 'process' };
    default:
      break;
  }
  return { kind: 'module', module: tracked.module, path: tracked.path };
}
