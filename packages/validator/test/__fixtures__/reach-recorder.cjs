'use strict';
// Preloaded (`node --require`) into a child process that runs one corpus snippet. It replaces
// every door to a capability with a recorder: the snippet's reach is written to the file named
// by AGENTPLUG_REACH_LOG, one capability a line, and nothing is really spawned, written, sent or
// loaded. Reads are done for real (they are harmless), except /proc/*/environ, which counts as
// reading the environment. The snippet's own file is read and compiled by Node's loader through
// the same doors: those reads are not recorded.
const { isMainThread } = require('node:worker_threads');

// Node's module-hooks thread runs the preloads again: the recorder belongs to the main thread only.
if (isMainThread) installRecorder();

function installRecorder() {
  // The log is written through a descriptor opened now: the public write functions are replaced below.
  const { openSync, writeSync } = require('node:fs');
  const Module = require('node:module');
  const { pathToFileURL } = require('node:url');

  const logPath = process.env.AGENTPLUG_REACH_LOG;
  const snippetPath = process.env.AGENTPLUG_SNIPPET;
  // A plugin folder run whole: its own files are loaded as modules, not compiled from strings.
  const pluginRoot = process.env.AGENTPLUG_PLUGIN_ROOT ? `${process.env.AGENTPLUG_PLUGIN_ROOT}/` : '';
  delete process.env.AGENTPLUG_PLUGIN_ROOT;
  delete process.env.AGENTPLUG_REACH_LOG;
  delete process.env.AGENTPLUG_SNIPPET;
  if (!logPath || !snippetPath)
    throw new Error('reach-recorder: AGENTPLUG_REACH_LOG and AGENTPLUG_SNIPPET are required');

  const logDescriptor = openSync(logPath, 'a');
  const record = (capability, detail) =>
    writeSync(logDescriptor, `${capability}\t${String(detail).slice(0, 120).replaceAll('\n', ' ')}\n`);

  /**
   * Whether the code that called into a recorder is Node's own (`node:` frames: console's colour
   * detection reads process.env, the loader reads files), not the snippet's.
   */
  function calledByNode() {
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const callSites = new Error().stack;
    Error.prepareStackTrace = original;
    const caller = callSites.find((site) => site.getFileName() !== __filename);
    return caller?.getFileName()?.startsWith('node:') ?? false;
  }

  class Refused extends Error {
    constructor(what) {
      super(`reach-recorder: ${what} was recorded, not run`);
    }
  }

  // ---- shell
  const childProcess = require('node:child_process');
  for (const name of ['exec', 'execSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']) {
    childProcess[name] = function recordedChildProcess(command) {
      record('shell', `child_process.${name} ${command}`);
      if (name.endsWith('Sync')) return Buffer.from('');
      const { EventEmitter } = require('node:events');
      return new EventEmitter();
    };
  }
  childProcess.ChildProcess.prototype.spawn = function recordedSpawn(options) {
    record('shell', `ChildProcess.spawn ${options?.file}`);
    throw new Refused('ChildProcess.spawn');
  };
  const cluster = require('node:cluster');
  cluster.fork = () => {
    record('shell', 'cluster.fork');
    throw new Refused('cluster.fork');
  };
  for (const name of ['binding', '_linkedBinding']) {
    process[name] = (binding) => {
      record('shell', `process.${name}(${binding})`);
      throw new Refused(`process.${name}`);
    };
  }
  if (typeof process.execve === 'function') {
    process.execve = (file) => {
      record('shell', `process.execve ${file}`);
      throw new Refused('process.execve');
    };
  }

  // ---- native
  process.dlopen = (_module, file) => {
    record('native', `process.dlopen ${file}`);
    throw new Refused('process.dlopen');
  };
  Module._extensions['.node'] = (_module, file) => {
    record('native', `.node ${file}`);
    throw new Refused('a .node addon');
  };

  // ---- eval
  // biome-ignore lint/security/noGlobalEval: the recorder wraps eval to see who calls it
  const originalEval = globalThis.eval;
  globalThis.eval = function recordedEval(code) {
    record('eval', `eval ${code}`);
    return originalEval(code);
  };
  const constructorTraps = {
    apply(target, thisArgument, args) {
      record('eval', `${target.name} ${args.at(-1)}`);
      return Reflect.apply(target, thisArgument, args);
    },
    construct(target, args, newTarget) {
      record('eval', `new ${target.name} ${args.at(-1)}`);
      return Reflect.construct(target, args, newTarget === proxies.get(target) ? target : newTarget);
    },
  };
  const proxies = new Map();
  for (const intrinsic of [
    Function,
    Object.getPrototypeOf(async () => {}).constructor,
    Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor,
  ]) {
    const proxy = new Proxy(intrinsic, constructorTraps);
    proxies.set(intrinsic, proxy);
    Object.defineProperty(intrinsic.prototype, 'constructor', {
      value: proxy,
      writable: true,
      configurable: true,
    });
  }
  globalThis.Function = proxies.get(Function);
  const vm = require('node:vm');
  for (const name of ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction']) {
    const original = vm[name];
    vm[name] = function recordedVm(code, ...rest) {
      record('eval', `vm.${name} ${code}`);
      return original.call(this, code, ...rest);
    };
  }
  vm.Script = new Proxy(vm.Script, constructorTraps);
  const originalCompile = Module.prototype._compile;
  Module.prototype._compile = function recordedCompile(content, filename) {
    if (filename !== snippetPath && !(pluginRoot && filename.startsWith(pluginRoot)))
      record('eval', `module._compile ${filename}`);
    return originalCompile.call(this, content, filename);
  };
  for (const name of ['setTimeout', 'setInterval']) {
    const original = globalThis[name];
    globalThis[name] = function recordedTimer(callback, ...rest) {
      if (typeof callback === 'string') record('eval', `${name} with a string ${callback}`);
      return original.call(this, callback, ...rest);
    };
  }
  const workerThreads = require('node:worker_threads');
  workerThreads.Worker = new Proxy(workerThreads.Worker, {
    construct(_target, [source, options]) {
      const text = String(source);
      if (options?.eval === true) record('eval', `new Worker eval: true ${text}`);
      else if (text.startsWith('data:')) record('eval', `new Worker ${text}`);
      else record('worker', `new Worker ${text}`);
      throw new Refused('new Worker');
    },
  });
  // data: URLs reach ESM's loader, which runs off this thread: a resolve hook records them.
  Module.register(pathToFileURL(require.resolve('./reach-recorder-hooks.mjs')), {
    data: { logPath },
  });

  // ---- environment
  const realEnvironment = process.env;
  process.env = new Proxy(realEnvironment, {
    get(target, key) {
      if (typeof key === 'string' && !calledByNode()) record('env', `process.env.${key}`);
      return Reflect.get(target, key);
    },
    ownKeys(target) {
      if (!calledByNode()) record('env', 'the keys of process.env');
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'string' && !calledByNode()) record('env', `process.env.${key}`);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  for (const name of ['getReport', 'writeReport']) {
    process.report[name] = () => {
      record('env', `process.report.${name}`);
      if (name === 'writeReport') record('filesystem_write', 'process.report.writeReport');
      return { environmentVariables: {}, header: {} };
    };
  }

  // ---- file system
  const fs = require('node:fs');
  const fsPromises = fs.promises;
  const isEnvironFile = (path) => /^\/proc\/[^/]+\/environ$/.test(String(path));
  const isLoaderRead = (path) =>
    String(path) === snippetPath || String(path) === pathToFileURL(snippetPath).href;
  const writeFlags = (flags) =>
    typeof flags === 'number'
      ? (flags & 3) !== 0 || (flags & (64 | 512 | 1024)) !== 0
      : /[wa+]/.test(String(flags ?? 'r'));
  const flagOf = (options) =>
    options !== null && typeof options === 'object' ? (options.flag ?? options.flags) : undefined;

  function recordRead(name, path) {
    if (isLoaderRead(path) || calledByNode()) return;
    if (isEnvironFile(path)) record('env', `${name} ${path}`);
    record('filesystem_read', `${name} ${path}`);
  }

  const READS = [
    'readFile',
    'readdir',
    'stat',
    'lstat',
    'access',
    'exists',
    'readlink',
    'realpath',
    'opendir',
    'statfs',
  ];
  const WRITES = [
    'writeFile',
    'appendFile',
    'mkdir',
    'mkdtemp',
    'rm',
    'rmdir',
    'unlink',
    'rename',
    'copyFile',
    'cp',
    'symlink',
    'link',
    'chmod',
    'chown',
    'lchown',
    'truncate',
    'utimes',
    'lutimes',
  ];
  for (const [target, suffixes] of [
    [fs, ['', 'Sync']],
    [fsPromises, ['']],
  ]) {
    for (const base of READS) {
      for (const suffix of suffixes) {
        const name = base + suffix;
        const original = target[name];
        if (typeof original !== 'function') continue;
        target[name] = function recordedRead(path, options, ...rest) {
          if (base === 'readFile' && writeFlags(flagOf(options) ?? 'r')) {
            record('filesystem_write', `${name} with flag ${flagOf(options)} ${path}`);
            return suffix === 'Sync' ? Buffer.alloc(0) : Promise.resolve(Buffer.alloc(0));
          }
          recordRead(name, path);
          if (isEnvironFile(path)) return suffix === 'Sync' ? '' : Promise.resolve('');
          return original.call(this, path, options, ...rest);
        };
      }
    }
    for (const base of WRITES) {
      for (const suffix of suffixes) {
        const name = base + suffix;
        if (typeof target[name] !== 'function') continue;
        target[name] = function recordedWrite(path, ...rest) {
          record('filesystem_write', `${name} ${path}`);
          const callback = rest.find((argument) => typeof argument === 'function');
          if (callback) process.nextTick(callback, null);
          return target === fsPromises ? Promise.resolve() : undefined;
        };
      }
    }
    for (const suffix of suffixes) {
      const name = `open${suffix}`;
      const original = target[name];
      target[name] = function recordedOpen(path, flags, ...rest) {
        const writes = typeof flags !== 'function' && writeFlags(flags ?? 'r');
        if (writes) record('filesystem_write', `${name} ${path} ${flags}`);
        else recordRead(name, path);
        return original.call(this, writes ? '/dev/null' : path, writes ? 'w' : flags, ...rest);
      };
    }
  }
  const { Readable, Writable } = require('node:stream');
  const fakeWritable = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  fs.createWriteStream = (path) => {
    record('filesystem_write', `createWriteStream ${path}`);
    return fakeWritable();
  };
  const originalCreateReadStream = fs.createReadStream;
  fs.createReadStream = (path, options) => {
    if (writeFlags(flagOf(options) ?? 'r')) {
      record('filesystem_write', `createReadStream with flags ${flagOf(options)} ${path}`);
      return Readable.from([]);
    }
    recordRead('createReadStream', path);
    return originalCreateReadStream(path, options);
  };
  for (const [name, capability] of [
    ['WriteStream', 'filesystem_write'],
    ['FileWriteStream', 'filesystem_write'],
    ['ReadStream', 'filesystem_read'],
    ['FileReadStream', 'filesystem_read'],
  ]) {
    const recorder = function RecordedStream(path) {
      record(capability, `${name} ${path}`);
      return capability === 'filesystem_write' ? fakeWritable() : Readable.from([]);
    };
    Object.defineProperty(fs, name, { value: recorder, writable: true, configurable: true });
  }

  // ---- Node modules that open files (node:sqlite and enableCompileCache are missing from Node 20:
  // what a snippet asks of them is recorded all the same, through stand-ins)
  const v8 = require('node:v8');
  v8.writeHeapSnapshot = (file) => {
    record('filesystem_write', `v8.writeHeapSnapshot ${file}`);
    return file;
  };
  Module.enableCompileCache = (folder) => {
    record('filesystem_write', `module.enableCompileCache ${folder}`);
    return { status: 0 };
  };
  const wasi = require('node:wasi');
  wasi.WASI = function RecordedWasi(options) {
    record('filesystem_read', `new WASI ${JSON.stringify(options?.preopens)}`);
    record('filesystem_write', `new WASI ${JSON.stringify(options?.preopens)}`);
  };
  class RecordedDatabase {
    constructor(file) {
      record('filesystem_read', `new DatabaseSync ${file}`);
      record('filesystem_write', `new DatabaseSync ${file}`);
    }
    exec() {}
  }
  const sqliteStandIn = { DatabaseSync: RecordedDatabase };
  const originalLoad = Module._load;
  Module._load = function recordedLoad(request, ...rest) {
    if (request === 'node:sqlite') return sqliteStandIn;
    return originalLoad.call(this, request, ...rest);
  };

  // ---- network
  const refuseNetwork = (what) =>
    function recordedNetwork(target) {
      record('network', `${what} ${typeof target === 'object' ? JSON.stringify(target) : target}`);
      throw new Refused(what);
    };
  const net = require('node:net');
  for (const name of ['connect', 'createConnection']) net[name] = refuseNetwork(`net.${name}`);
  net.Socket.prototype.connect = refuseNetwork('net.Socket.connect');
  const tls = require('node:tls');
  tls.connect = refuseNetwork('tls.connect');
  for (const moduleName of ['node:http', 'node:https']) {
    const http = require(moduleName);
    for (const name of ['request', 'get']) http[name] = refuseNetwork(`${moduleName}.${name}`);
  }
  require('node:http2').connect = refuseNetwork('http2.connect');
  require('node:dgram').createSocket = refuseNetwork('dgram.createSocket');
  const dns = require('node:dns');
  for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse']) {
    dns[name] = refuseNetwork(`dns.${name}`);
    dns.promises[name] = refuseNetwork(`dns.promises.${name}`);
  }
  globalThis.fetch = refuseNetwork('fetch');
  if (typeof globalThis.WebSocket === 'function') globalThis.WebSocket = refuseNetwork('WebSocket');

  // ESM namespaces of the built-ins were created from the originals: bring them up to date.
  Module.syncBuiltinESMExports();
}
