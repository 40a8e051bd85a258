import { posix } from 'node:path';
import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  knownPrefixOf,
  knownSuffixOf,
  MODULE_OBJECT_VALUE,
  REQUIRE_VALUE,
  stringOf,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { reportEscape } from './escape-rules';
import { foldPathCall } from './fold-builtins';
import { importModule } from './import-rules';
import {
  classifyFileSystemCall,
  flagsWrite,
  isHarmlessNetworkCall,
  isShellCall,
  moduleKindOf,
} from './module-table';
import { preview, type ScanReporter } from './scan-reporter';
import { displayPath, PLUGIN_FOLDER_MARKER } from './scan-result';

/** Where a module member is called: the module's canonical name and the member's dotted path. */
export interface ModuleCall {
  module: string;
  /** The member path, empty for the module itself (`exec`, `promises.writeFile`). */
  path: string;
  args: readonly AbstractValue[];
  node: BabelTypes.Node;
  isNew: boolean;
}

/**
 * The capability rules for a call of a tracked module or one of its members
 * (`child_process.exec`, `fs.writeFileSync`, `https.get`, `new Worker`, `Module._load`):
 * records what the call uses and returns what it folds to.
 */
export function callModule(reporter: ScanReporter, call: ModuleCall): AbstractValue {
  const { module, path, args, node } = call;
  const kind = moduleKindOf(module);
  const name = path ? `${module}.${path}` : module;
  switch (kind) {
    case 'module':
      return callModuleModule(reporter, call, name);
    case 'shell':
      if (isShellCall(module, path)) {
        const command = args[0] === undefined ? undefined : stringOf(args[0]);
        reporter.report(
          'SHELL_EXEC',
          node,
          `starts a process with ${name}${command === undefined ? '' : `: ${preview(command)}`}`,
        );
      }
      return UNKNOWN;
    case 'filesystem':
      reportFileSystem(reporter, name, path, args, node);
      return UNKNOWN;
    case 'network':
      if (!isHarmlessNetworkCall(path)) reportNetwork(reporter, name, args, node);
      return UNKNOWN;
    case 'worker':
      if (call.isNew && path === 'Worker') checkWorker(reporter, args, node);
      return UNKNOWN;
    case 'path':
      return path === 'join' || path === 'resolve' || path === 'normalize'
        ? foldPathCall(path, args)
        : UNKNOWN;
    default:
      for (const argument of args) reportEscape(reporter, argument, node, `is passed to ${name}`);
      return UNKNOWN;
  }
}

/** The `module` module: `new Module()`, `createRequire`, `_load`, `_compile`, `register`. */
function callModuleModule(reporter: ScanReporter, call: ModuleCall, name: string): AbstractValue {
  const { path, args, node } = call;
  switch (path) {
    case '':
    case 'Module':
      return call.isNew ? MODULE_OBJECT_VALUE : UNKNOWN;
    case 'createRequire':
      return REQUIRE_VALUE;
    case '_load':
    case 'prototype.require':
    case 'Module._load':
      return importModule(reporter, args[0] ?? UNKNOWN, node, `${name}()`);
    case 'register':
      return importModule(reporter, args[0] ?? UNKNOWN, node, 'module.register (module hooks)');
    case 'enableCompileCache': {
      // Node writes its compile cache into this folder (or one of its own choosing).
      const folder = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'FS_WRITE',
        node,
        `writes ${folder === undefined ? 'a path not statically known' : displayPath(folder)} with ${name}`,
        folder ?? null,
      );
      return UNKNOWN;
    }
    case '_compile':
    case 'prototype._compile': {
      const code = args[0] === undefined ? undefined : stringOf(args[0]);
      reporter.report(
        'MODULE_COMPILE',
        node,
        `compiles a string as a module with ${name}${code === undefined ? '' : `: ${preview(code)}`}`,
      );
      if (code !== undefined) reporter.scanEvaluatedCode(code, node);
      return UNKNOWN;
    }
    default:
      for (const argument of args) reportEscape(reporter, argument, node, `is passed to ${name}`);
      return UNKNOWN;
  }
}

function checkWorker(reporter: ScanReporter, args: readonly AbstractValue[], node: BabelTypes.Node): void {
  const source = args[0] ?? UNDEFINED_VALUE;
  const options = args[1];
  if (options !== undefined && options.kind === 'object') {
    const evalOption = options.properties.get('eval');
    if (evalOption !== undefined && !(evalOption.kind === 'literal' && !evalOption.value)) {
      reporter.report('WORKER_EVAL', node, 'starts a worker from a string of code (eval: true)');
      return;
    }
  } else if (options !== undefined && options.kind !== 'literal') {
    reporter.report(
      'WORKER_EVAL',
      node,
      'starts a worker with options not statically known, which may set eval: true and run a string as code',
    );
    return;
  }
  const prefix = knownPrefixOf(source);
  if (prefix === undefined || prefix === '') {
    reporter.report(
      'WORKER_EVAL',
      node,
      'starts a worker from a file or URL not statically known, which may be a data: URL of code',
    );
  } else if (/^(data|blob):/i.test(prefix)) {
    reporter.report(
      'WORKER_EVAL',
      node,
      `starts a worker from a ${prefix.slice(0, prefix.indexOf(':'))}: URL`,
    );
  } else {
    // A worker runs its file as code whatever the file is called (`w.txt` too): a file of the
    // plugin named here is scanned like a required one.
    const local = localSpecifier(stringOf(source));
    if (local !== undefined) reporter.recordImport(local, node);
  }
}

/** A path into the plugin (`__dirname + '/w.txt'`, `'./w.txt'`) as a specifier relative to the file, else undefined. */
function localSpecifier(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path.startsWith(`${PLUGIN_FOLDER_MARKER}/`))
    return `./${posix.normalize(path.slice(PLUGIN_FOLDER_MARKER.length + 1))}`;
  return path.startsWith('./') || path.startsWith('../') ? path : undefined;
}

/** Whether a path is a process's environment under /proc, by its known start and end. */
function readsEnvironment(value: AbstractValue | undefined): boolean {
  if (value === undefined) return false;
  const text = stringOf(value);
  if (text !== undefined)
    return text.includes('environ') && /^\/proc\/[^/]+\/environ$/.test(posix.normalize(text));
  const prefix = knownPrefixOf(value) ?? '';
  const suffix = knownSuffixOf(value) ?? '';
  return prefix.startsWith('/proc/') && suffix.endsWith('/environ');
}

/**
 * The open flags of a call: the second argument of `open`, or the `flag`/`flags` option of any
 * call that takes options; `null` when they are not statically known, undefined when none.
 */
function flagsOf(
  member: string,
  path: string,
  args: readonly AbstractValue[],
): string | number | null | undefined {
  const second = args[1];
  if (second === undefined || second === UNKNOWN) {
    if (member !== 'open') return undefined;
    // `open(path, callback)` with an unknown callback is common; a sync or promise open is not.
    return second === UNKNOWN && (path.endsWith('Sync') || path.startsWith('promises.') || args.length >= 3)
      ? null
      : undefined;
  }
  if (second.kind === 'literal') {
    if (member === 'open')
      return typeof second.value === 'number' || typeof second.value === 'string' ? second.value : undefined;
    return undefined;
  }
  if (second.kind === 'object') {
    const flag = second.properties.get('flag') ?? second.properties.get('flags');
    if (flag === undefined) return undefined;
    if (flag.kind === 'literal' && (typeof flag.value === 'string' || typeof flag.value === 'number'))
      return flag.value;
    return null;
  }
  return member === 'open' && second.kind !== 'function' ? null : undefined;
}

function reportFileSystem(
  reporter: ScanReporter,
  name: string,
  path: string,
  args: readonly AbstractValue[],
  node: BabelTypes.Node,
): void {
  const member = path.replace(/^promises\./, '').replace(/Sync$/, '');
  const flags = flagsOf(member, path, args);
  let access = classifyFileSystemCall(path, flags);
  if (access === undefined) return;
  // `readFileSync(path, { flag: 'w' })` truncates: the flags decide, whatever the method is called.
  if (access === 'filesystem_read' && member !== 'open' && flagsWrite(flags)) access = 'filesystem_write';
  const pathOf = (value: AbstractValue | undefined) =>
    value === undefined ? null : (stringOf(value) ?? null);
  const record = (code: 'FS_READ' | 'FS_WRITE', target: string | null) => {
    const verb = code === 'FS_READ' ? 'reads' : 'writes';
    reporter.report(
      code,
      node,
      `${verb} ${target === null ? 'a path not statically known' : displayPath(target)} with ${name}`,
      target,
    );
  };
  if (readsEnvironment(args[0])) {
    reporter.report('ENV_READ', node, `reads the environment of a process through /proc with ${name}`, null);
  }
  if (member === 'copyFile' || member === 'cp' || member === 'copy' || member === 'link') {
    record('FS_READ', pathOf(args[0]));
    record('FS_WRITE', pathOf(args[1]));
  } else if (member === 'rename' || member === 'move') {
    record('FS_WRITE', pathOf(args[0]));
    record('FS_WRITE', pathOf(args[1]));
  } else if (member === 'symlink') {
    record('FS_WRITE', pathOf(args[1]));
  } else if (member === 'DatabaseSync' || member === 'Database' || member === 'WASI') {
    // Both read and write whatever the path: SQL's `ATTACH` opens any file from an in-memory
    // database, and a WASI instance gets its preopened folders whole.
    const file = member === 'WASI' ? null : pathOf(args[0]);
    const target = file === ':memory:' || file === '' ? null : file;
    record('FS_READ', target);
    record('FS_WRITE', target);
  } else {
    const fileDescriptorCall =
      member === 'write' ||
      member === 'writev' ||
      member === 'read' ||
      member === 'readv' ||
      member.startsWith('f');
    const target = fileDescriptorCall ? null : pathOf(args[0]);
    if (member === 'open' && flags === null) record('FS_READ', target);
    record(access === 'filesystem_read' ? 'FS_READ' : 'FS_WRITE', target);
  }
}

/** Records a network use by `name` (`fetch`, `https.get`, ...), with its host when folding finds it. */
export function reportNetwork(
  reporter: ScanReporter,
  name: string,
  args: readonly AbstractValue[],
  node: BabelTypes.Node,
): AbstractValue {
  const target = networkTarget(name, args);
  reporter.report(
    'NETWORK_REQUEST',
    node,
    target === null
      ? `uses the network with ${name}; the target is not statically known`
      : `connects to ${target} with ${name}`,
    target,
  );
  return UNKNOWN;
}

/** The host (with port when given) a network call reaches, or null when not statically known. */
function networkTarget(name: string, args: readonly AbstractValue[]): string | null {
  const first = args[0];
  if (first === undefined) return null;
  const hostish = /^(net|tls|dns|dgram)\b/.test(name);
  if (first.kind === 'literal') {
    if (typeof first.value === 'number' && hostish) {
      const host = args[1] === undefined ? undefined : stringOf(args[1]);
      return `${host ?? 'localhost'}:${first.value}`;
    }
    const text = stringOf(first);
    if (text === undefined) return null;
    const fromUrl = hostOfUrl(text);
    if (fromUrl !== undefined) return fromUrl;
    if (hostish && /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(text)) return text.toLowerCase();
    return null;
  }
  if (first.kind === 'object') {
    const url =
      first.properties.get('url') ?? first.properties.get('baseURL') ?? first.properties.get('origin');
    const urlText = url === undefined ? undefined : stringOf(url);
    if (urlText !== undefined) return hostOfUrl(urlText) ?? null;
    const hostValue = first.properties.get('hostname') ?? first.properties.get('host');
    const host = hostValue === undefined ? undefined : stringOf(hostValue);
    if (host === undefined) return null;
    const portValue = first.properties.get('port');
    const port = portValue === undefined ? undefined : stringOf(portValue);
    return port === undefined || host.includes(':') ? host.toLowerCase() : `${host.toLowerCase()}:${port}`;
  }
  return null;
}

function hostOfUrl(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.port ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    return undefined;
  }
}
