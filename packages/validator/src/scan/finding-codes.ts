import type { FindingCapability, FindingSeverity } from '@agentplug/models';

/** A finding code the scan can report. */
export type FindingCode =
  | 'SHELL_MODULE'
  | 'SHELL_EXEC'
  | 'PROCESS_BINDING'
  | 'INSTALL_SCRIPT'
  | 'EVAL_CALL'
  | 'FUNCTION_CONSTRUCTOR'
  | 'STRING_TIMER'
  | 'VM_MODULE'
  | 'WORKER_EVAL'
  | 'DATA_URL_IMPORT'
  | 'NETWORK_MODULE'
  | 'NETWORK_REQUEST'
  | 'FS_READ'
  | 'FS_WRITE'
  | 'ENV_READ'
  | 'NATIVE_ADDON'
  | 'NATIVE_BINARY'
  | 'DYNAMIC_IMPORT'
  | 'DYNAMIC_MEMBER_CALL'
  | 'MODULE_COMPILE'
  | 'REACHES_SHELL'
  | 'REACHES_EVAL'
  | 'REACHES_NATIVE'
  | 'REACHES_NETWORK'
  | 'REACHES_FS_READ'
  | 'REACHES_FS_WRITE'
  | 'REACHES_ENV'
  | 'ESCAPED_REFERENCE'
  | 'BUILTIN_REPLACED'
  | 'SCAN_INCOMPLETE';

/** What a finding code means, its capability and its default severity. */
export interface FindingCodeInfo {
  capability: FindingCapability;
  severity: FindingSeverity;
  summary: string;
}

/**
 * Every finding code, with its capability, severity and meaning. The README's table and the
 * SARIF rules are generated from the same entries.
 */
export const FindingCodes: Readonly<Record<FindingCode, FindingCodeInfo>> = {
  SHELL_MODULE: {
    capability: 'shell',
    severity: 'critical',
    summary: 'imports a module that runs processes (child_process, execa, shelljs, cross-spawn)',
  },
  SHELL_EXEC: {
    capability: 'shell',
    severity: 'critical',
    summary: 'starts a process (exec, execFile, spawn, fork and their Sync forms, Bun.spawn, Deno.Command)',
  },
  PROCESS_BINDING: {
    capability: 'shell',
    severity: 'critical',
    summary: "reaches Node's internal bindings (process.binding, process._linkedBinding), which can spawn",
  },
  INSTALL_SCRIPT: {
    capability: 'shell',
    severity: 'high',
    summary: 'a package.json declares an install script (preinstall, install, postinstall, prepare)',
  },
  EVAL_CALL: {
    capability: 'eval',
    severity: 'high',
    summary: 'evaluates a string as code with eval (direct, indirect, aliased or through globalThis)',
  },
  FUNCTION_CONSTRUCTOR: {
    capability: 'eval',
    severity: 'high',
    summary: 'builds a function from a string (Function, new Function, x.constructor.constructor)',
  },
  STRING_TIMER: {
    capability: 'eval',
    severity: 'high',
    summary: 'passes a string to setTimeout or setInterval, which evaluates it',
  },
  VM_MODULE: {
    capability: 'eval',
    severity: 'high',
    summary: 'imports a module that evaluates code (vm, repl, inspector)',
  },
  WORKER_EVAL: {
    capability: 'eval',
    severity: 'high',
    summary: 'starts a worker from a string of code (eval: true, or a data: URL)',
  },
  DATA_URL_IMPORT: {
    capability: 'eval',
    severity: 'high',
    summary: 'imports a data: URL, which evaluates the code inside it',
  },
  NETWORK_MODULE: {
    capability: 'network',
    severity: 'medium',
    summary: 'imports a network module (http, https, http2, net, tls, dgram, dns, undici, ws, axios, ...)',
  },
  NETWORK_REQUEST: {
    capability: 'network',
    severity: 'medium',
    summary: 'opens a network connection (fetch, WebSocket, http.request, net.connect, dns.lookup, ...)',
  },
  FS_READ: {
    capability: 'filesystem_read',
    severity: 'low',
    summary: 'reads the file system (readFile, readdir, createReadStream, stat, ...)',
  },
  FS_WRITE: {
    capability: 'filesystem_write',
    severity: 'medium',
    summary: 'writes the file system (writeFile, appendFile, mkdir, rm, rename, createWriteStream, ...)',
  },
  ENV_READ: {
    capability: 'env',
    severity: 'low',
    summary: 'reads process.env (a member, a destructured name, a computed key or the whole object)',
  },
  NATIVE_ADDON: {
    capability: 'native',
    severity: 'high',
    summary: 'loads a native addon (a .node module, process.dlopen)',
  },
  NATIVE_BINARY: {
    capability: 'native',
    severity: 'high',
    summary: 'the plugin folder contains a .node binary',
  },
  DYNAMIC_IMPORT: {
    capability: 'dynamic',
    severity: 'medium',
    summary: 'loads a module whose name is not statically known after constant folding',
  },
  DYNAMIC_MEMBER_CALL: {
    capability: 'dynamic',
    severity: 'medium',
    summary:
      'calls a member of a sensitive object (globalThis, process, a risky module) by a name not statically known',
  },
  MODULE_COMPILE: {
    capability: 'eval',
    severity: 'high',
    summary:
      'compiles a string or a file as a module (module._compile, require.extensions, Module._extensions)',
  },
  REACHES_SHELL: {
    capability: 'shell',
    severity: 'critical',
    summary:
      'a value that can start processes (require, process, the global object, child_process) escapes where the scan cannot follow it',
  },
  REACHES_EVAL: {
    capability: 'eval',
    severity: 'high',
    summary:
      'a value that can run strings as code (eval, Function, require, vm, the global object) escapes where the scan cannot follow it',
  },
  REACHES_NATIVE: {
    capability: 'native',
    severity: 'high',
    summary:
      'a value that can load native addons (require, process, module) escapes where the scan cannot follow it',
  },
  REACHES_NETWORK: {
    capability: 'network',
    severity: 'medium',
    summary:
      'a value that can open connections (require, fetch, a network module) escapes where the scan cannot follow it',
  },
  REACHES_FS_READ: {
    capability: 'filesystem_read',
    severity: 'low',
    summary: 'a value that can read files (require, process, fs) escapes where the scan cannot follow it',
  },
  REACHES_FS_WRITE: {
    capability: 'filesystem_write',
    severity: 'medium',
    summary: 'a value that can write files (require, process, fs) escapes where the scan cannot follow it',
  },
  REACHES_ENV: {
    capability: 'env',
    severity: 'low',
    summary:
      'a value that can read the environment (require, process, process.report) escapes where the scan cannot follow it',
  },
  ESCAPED_REFERENCE: {
    capability: 'dynamic',
    severity: 'medium',
    summary:
      'why the REACHES_* findings beside it are there: a value such as require, module, process or the global object is passed, stored, returned or iterated where the scan cannot follow it',
  },
  BUILTIN_REPLACED: {
    capability: 'dynamic',
    severity: 'medium',
    summary:
      'replaces a built-in (Object.keys, Function.prototype.call, console.log, ...), which changes what code calling it does',
  },
  SCAN_INCOMPLETE: {
    capability: 'dynamic',
    severity: 'high',
    summary:
      'a source file could not be scanned completely (it does not parse, nests too deep, or hit a time or memory limit); the plugin is invalid',
  },
};
