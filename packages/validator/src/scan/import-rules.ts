import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  knownPrefixOf,
  knownSuffixOf,
  literalValue,
  stringOf,
  UNKNOWN,
} from './abstract-value';
import { isPowerful, REACH_FINDINGS, targetOf } from './escape-rules';
import { lookupModule, normaliseSpecifier } from './module-table';
import { EVERY_CAPABILITY } from './reach-table';
import { preview, type ScanReporter } from './scan-reporter';

/**
 * Whether a module name known only in part can only be a JSON file: it starts like a path or a
 * package subpath and ends in `.json`. Node parses such a file as data whatever it holds, so
 * it cannot run code. A script (`./x/${name}.js`) is not such a name: its unknown part may climb
 * out of the folder (`../../node_modules/cross-spawn/index`) to any script on disk.
 */
function isDataPath(prefix: string, suffix: string): boolean {
  if (!/\.json$/i.test(suffix)) return false;
  if (prefix.startsWith('./') || prefix.startsWith('../')) return true;
  // `some-package/` or `@scope/package/`: a file of a package, not a built-in.
  return /^(?:@[a-z0-9._-]+\/)?[a-z0-9._-]+\//i.test(prefix) && !prefix.startsWith('node:');
}

/**
 * Records a module load (require, import, import(), re-export, getBuiltinModule) and returns the
 * module's value: a shell, eval or network module is a finding where it is loaded, a data: URL
 * or a .node file is one too. A name folding cannot resolve may be any module, so it reaches
 * every capability: a `dynamic` finding says why and the capability findings say what.
 */
export function importModule(
  reporter: ScanReporter,
  specifier: AbstractValue,
  node: BabelTypes.Node,
  how: string,
): AbstractValue {
  const name = stringOf(specifier);
  if (name === undefined) {
    // One of a few names chosen at run time: each is loaded here, as far as the scan knows.
    if (specifier.kind === 'text' && specifier.options !== undefined) {
      let loaded: AbstractValue = UNKNOWN;
      for (const option of specifier.options) {
        const value = importModule(reporter, literalValue(option), node, how);
        // The value kept is the one that can do the most: its uses are the ones to see.
        if (loaded === UNKNOWN || (isPowerful(value) && !isPowerful(loaded))) loaded = value;
      }
      return loaded;
    }
    return importUnknownModule(reporter, specifier, node, how);
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

function importUnknownModule(
  reporter: ScanReporter,
  specifier: AbstractValue,
  node: BabelTypes.Node,
  how: string,
): AbstractValue {
  const prefix = knownPrefixOf(specifier) ?? '';
  const suffix = knownSuffixOf(specifier) ?? '';
  if (/^data:/i.test(prefix)) {
    reporter.report('DATA_URL_IMPORT', node, `imports code from a data: URL built at run time with ${how}`);
    return UNKNOWN;
  }
  if (isDataPath(prefix, suffix)) {
    reporter.report(
      'DYNAMIC_IMPORT',
      node,
      `loads a JSON file chosen at run time with ${how} (${JSON.stringify(`${prefix}...${suffix}`)}); it is data, not code`,
    );
    return UNKNOWN;
  }
  reporter.report(
    'DYNAMIC_IMPORT',
    node,
    `loads a module with ${how} whose name is not statically known: it may be child_process, vm, fs, http or a native addon`,
  );
  for (const capability of EVERY_CAPABILITY) {
    const { code, can } = REACH_FINDINGS[capability];
    reporter.report(
      code,
      node,
      `loads a module whose name is not statically known with ${how}; that module can ${can}`,
      targetOf(capability),
    );
  }
  return UNKNOWN;
}
