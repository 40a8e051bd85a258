import type * as BabelTypes from '@babel/types';
import { type AbstractValue, REQUIRE_VALUE, stringOf, UNKNOWN } from './abstract-value';
import { reportEscapedValue } from './escape-rules';
import { foldPathCall } from './fold-builtins';
import { importModule } from './import-rules';
import { classifyFileSystemCall, isHarmlessNetworkCall, isShellCall, moduleKindOf } from './module-table';
import { preview, type ScanReporter } from './scan-reporter';
import { displayPath } from './scan-result';

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
      if (path === 'createRequire') return REQUIRE_VALUE;
      if (path === '_load' || path === 'prototype.require' || path === 'Module._load') {
        return importModule(reporter, args[0] ?? UNKNOWN, node, `${name}()`);
      }
      return UNKNOWN;
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
        ? foldPathCall(path, args as AbstractValue[])
        : UNKNOWN;
    default:
      for (const argument of args) reportEscapedValue(reporter, argument, node);
      return UNKNOWN;
  }
}

function checkWorker(reporter: ScanReporter, args: readonly AbstractValue[], node: BabelTypes.Node): void {
  const source = args[0] === undefined ? undefined : stringOf(args[0]);
  const options = args[1];
  const evalOption = options?.kind === 'object' ? options.properties.get('eval') : undefined;
  if (evalOption !== undefined && !(evalOption.kind === 'literal' && !evalOption.value)) {
    reporter.report('WORKER_EVAL', node, 'starts a worker from a string of code (eval: true)');
  } else if (source?.startsWith('data:')) {
    reporter.report('WORKER_EVAL', node, 'starts a worker from a data: URL');
  }
}

function reportFileSystem(
  reporter: ScanReporter,
  name: string,
  path: string,
  args: readonly AbstractValue[],
  node: BabelTypes.Node,
): void {
  const flags = args[1] === undefined ? undefined : stringOf(args[1]);
  const access = classifyFileSystemCall(path, flags);
  if (access === undefined) return;
  const member = path.replace(/^promises\./, '').replace(/Sync$/, '');
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
  if (member === 'copyFile' || member === 'cp' || member === 'copy' || member === 'link') {
    record('FS_READ', pathOf(args[0]));
    record('FS_WRITE', pathOf(args[1]));
  } else if (member === 'rename' || member === 'move') {
    record('FS_WRITE', pathOf(args[0]));
    record('FS_WRITE', pathOf(args[1]));
  } else if (member === 'symlink') {
    record('FS_WRITE', pathOf(args[1]));
  } else {
    const fileDescriptorCall =
      member === 'write' || member === 'writev' || member === 'read' || member === 'readv';
    record(
      access === 'filesystem_read' ? 'FS_READ' : 'FS_WRITE',
      fileDescriptorCall ? null : pathOf(args[0]),
    );
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
