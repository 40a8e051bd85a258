import type { FindingCapability } from '@agentplug/models';

/**
 * A snippet that reaches a capability in a way the scan once missed. `test/evasion-proof.test.ts`
 * runs each one under Node with every door to a capability replaced by a recorder, and asserts
 * it really reaches `capability`; `test/evasion-scan.test.ts` asserts the scan reports it.
 */
export interface EvasionCase {
  name: string;
  /** The technique of issue 17 it belongs to. */
  technique: string;
  capability: FindingCapability;
  code: string;
  /** `.cjs` (default, sloppy CommonJS), `.mjs`, or `.ts` / `.mts` (compiled with TypeScript to run). */
  filename?: string;
}

const SHELL = "('child_process').execSync('id')";

/** Every technique of issue 17, most in several spellings. */
export const EVASIONS: readonly EvasionCase[] = [
  // ---- an API the scan did not know
  {
    technique: 'api',
    name: 'process.getBuiltinModule',
    capability: 'shell',
    code: `process.getBuiltinModule${SHELL};`,
  },
  {
    technique: 'api',
    name: 'process.getBuiltinModule with node: and globalThis',
    capability: 'shell',
    code: "globalThis.process.getBuiltinModule('node:child_process').spawnSync('id');",
  },
  {
    technique: 'api',
    name: 'process.getBuiltinModule destructured',
    capability: 'shell',
    code: `const { getBuiltinModule: load } = process;\nload${SHELL};`,
  },
  {
    technique: 'api',
    name: 'process.getBuiltinModule of fs',
    capability: 'filesystem_write',
    code: "process.getBuiltinModule('fs').writeFileSync('/tmp/agentplug-evasion', 'x');",
  },
  {
    technique: 'api',
    name: 'process.getBuiltinModule of http',
    capability: 'network',
    code: "try { process.getBuiltinModule('http').get('http://example.com/'); } catch {}",
  },
  {
    technique: 'api',
    name: 'process.getBuiltinModule with a name decoded at run time',
    capability: 'shell',
    code: "const name = Buffer.from([99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115].map((c) => c)).toString();\nprocess.getBuiltinModule(name).execSync('id');",
  },
  // ---- value flow
  {
    technique: 'flow',
    name: 'require through .map',
    capability: 'shell',
    code: `['child_process'].map(require)[0].execSync('id');`,
  },
  {
    technique: 'flow',
    name: 'require thrown and caught',
    capability: 'shell',
    code: `try { throw require; } catch (load) { load${SHELL}; }`,
  },
  {
    technique: 'flow',
    name: 'require returned by a getter',
    capability: 'shell',
    code: `const holder = { get load() { return require; } };\nholder.load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through arguments',
    capability: 'shell',
    code: "function pick() { return arguments[0]; }\npick(require)('child_process').execSync('id');",
  },
  {
    technique: 'flow',
    name: 'require through arguments inside the callee',
    capability: 'shell',
    code: `function run() { arguments[0]${SHELL}; }\nrun(require);`,
  },
  {
    technique: 'flow',
    name: 'require through .then',
    capability: 'shell',
    code: `Promise.resolve(require).then((load) => load${SHELL});`,
  },
  {
    technique: 'flow',
    name: 'require.cache values',
    capability: 'shell',
    code: `Object.values(require.cache)[0].require${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require.cache by key',
    capability: 'shell',
    code: `require.cache[__filename].require${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'module.children',
    capability: 'shell',
    code: `module.children.concat([module]).pop().require${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'module passed to a function',
    capability: 'shell',
    code: "function load(owner) { return owner.require('child_process'); }\nload(module).execSync('id');",
  },
  {
    technique: 'flow',
    name: 'require under a symbol key',
    capability: 'shell',
    code: `const key = Symbol('load');\nconst holder = { [key]: require };\nholder[key]${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require in a class field',
    capability: 'shell',
    code: `class Holder { load = require; }\nnew Holder().load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require in a static getter',
    capability: 'shell',
    code: `class Holder { static get load() { return require; } }\nHolder.load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'Function in a static field',
    capability: 'eval',
    code: "class Holder { static make = Function; }\nHolder.make('return 1')();",
  },
  {
    technique: 'flow',
    name: 'require stored on globalThis in a static block',
    capability: 'shell',
    code: `class Holder { static { globalThis.loadModule = require; } }\nloadModule${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require yielded by a generator',
    capability: 'shell',
    code: `function* source() { yield require; }\nsource().next().value${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through for-of',
    capability: 'shell',
    code: `for (const load of [require]) load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through a Map',
    capability: 'shell',
    code: `new Map([['load', require]]).get('load')${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through Map.set',
    capability: 'shell',
    code: `const tools = new Map();\ntools.set('load', require);\ntools.get('load')${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through an IIFE parameter',
    capability: 'shell',
    code: `(function (load) { load${SHELL}; })(require);`,
  },
  {
    technique: 'flow',
    name: 'require through an arrow IIFE returning it',
    capability: 'shell',
    code: `((load) => load)(require)${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'require through Object.assign',
    capability: 'shell',
    code: `Object.assign({}, { load: require }).load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'Object.values({ eval })',
    capability: 'eval',
    code: "Object.values({ eval })[0]('1 + 1');",
  },
  {
    technique: 'flow',
    name: 'Object.entries of require',
    capability: 'shell',
    code: `Object.entries({ load: require })[0][1]${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'getOwnPropertyDescriptor of eval',
    capability: 'eval',
    code: "Object.getOwnPropertyDescriptor(globalThis, 'eval').value('1 + 1');",
  },
  {
    technique: 'flow',
    name: 'getOwnPropertyDescriptors of the global object',
    capability: 'eval',
    code: "Object.getOwnPropertyDescriptors(globalThis).eval.value('1 + 1');",
  },
  {
    technique: 'flow',
    name: 'a global assigned require',
    capability: 'shell',
    code: `globalThis.loadModule = require;\nloadModule${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'global.require assigned',
    capability: 'shell',
    code: `global['req' + 'uire'] = require;\nglobal.require${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'defineProperty on the global object',
    capability: 'shell',
    code: `Object.defineProperty(globalThis, 'loadModule', { value: require });\nloadModule${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'reassignment after a closure captured it',
    capability: 'shell',
    code: "let load = () => null;\nfunction go(name) { return load(name); }\nload = require;\ngo('child_' + 'process').execSync('id');",
  },
  {
    technique: 'flow',
    name: 'a const read by a function declared above it',
    capability: 'shell',
    code: `function go() { return load('child_process'); }\nconst load = require;\ngo().execSync('id');`,
  },
  {
    technique: 'flow',
    name: 'eval read by an arrow before its declaration',
    capability: 'eval',
    code: "const run = (code) => evaluate(code);\nconst evaluate = eval;\nrun('1 + 1');",
  },
  {
    technique: 'flow',
    name: 'assigned in one function, called in another',
    capability: 'shell',
    code: `let load;\nfunction go() { return load('child_process'); }\nfunction setup() { load = require; }\nsetup();\ngo().execSync('id');`,
  },
  {
    technique: 'flow',
    name: 'a Proxy get trap returning require',
    capability: 'shell',
    code: `const tools = new Proxy({}, { get: () => require });\ntools.anything${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'defineProperty getter',
    capability: 'shell',
    code: `const holder = {};\nObject.defineProperty(holder, 'load', { get() { return require; } });\nholder.load${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'an array returned by a function',
    capability: 'shell',
    code: `const [load] = (() => [require])();\nload${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'rest parameters',
    capability: 'shell',
    code: `((...list) => list[0])(...[require])${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'an async function resolving to require',
    capability: 'shell',
    code: `(async () => require)().then((load) => load${SHELL});`,
  },
  {
    technique: 'flow',
    name: 'Array.from',
    capability: 'shell',
    code: `Array.from([require])[0]${SHELL};`,
  },
  {
    technique: 'flow',
    name: 'process passed to a function',
    capability: 'env',
    code: 'function home(owner) { return owner.env.HOME; }\nhome(process);',
  },
  {
    technique: 'flow',
    name: 'process inside an object passed along',
    capability: 'env',
    code: 'const holder = { owner: process };\nconst read = (box) => box.owner.env.HOME;\nread(holder);',
  },
  {
    technique: 'flow',
    name: 'process.env through Object.entries',
    capability: 'env',
    code: 'Object.entries(process.env).length;',
  },
  {
    technique: 'flow',
    name: 'eval through .map',
    capability: 'eval',
    code: "['1 + 1'].map(eval);",
  },
  {
    technique: 'flow',
    name: 'Function.prototype.call on Function',
    capability: 'eval',
    code: "Function.prototype.call.call(Function, null, 'return 1')();",
  },
  {
    technique: 'flow',
    name: 'Reflect.apply of call on Function',
    capability: 'eval',
    code: "Reflect.apply(Function.prototype.call, Function, [null, 'return 1'])();",
  },
  {
    technique: 'flow',
    name: 'Function.call.apply',
    capability: 'eval',
    code: "Function.call.apply(Function, [null, 'return 1'])();",
  },
  // ---- constructs
  {
    technique: 'construct',
    name: 'with over an object holding require',
    capability: 'shell',
    code: `with ({ load: require }) { load${SHELL}; }`,
  },
  {
    technique: 'construct',
    name: 'with over require.cache',
    capability: 'shell',
    code: `with (require.cache[__filename]) { require${SHELL}; }`,
  },
  {
    technique: 'construct',
    name: 'module name by String.raw',
    capability: 'shell',
    code: "require(String.raw`child_process`).execSync('id');",
  },
  {
    technique: 'construct',
    name: 'module name by JSON.parse',
    capability: 'shell',
    code: `require(JSON.parse('"child_process"')).execSync('id');`,
  },
  {
    technique: 'construct',
    name: 'module name by push and spread',
    capability: 'shell',
    code: "const parts = [];\nparts.push('child_');\nparts.push('process');\nrequire([...parts].join('')).execSync('id');",
  },
  {
    technique: 'construct',
    name: 'module name built in a loop',
    capability: 'shell',
    code: "let name = '';\nfor (const code of [99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115]) name += String.fromCharCode(code);\nrequire(name).execSync('id');",
  },
  {
    technique: 'construct',
    name: 'module name from a Proxy',
    capability: 'shell',
    code: "const names = new Proxy({}, { get: (_target, key) => key });\nrequire(names.child_process).execSync('id');",
  },
  {
    technique: 'construct',
    name: 'module name from reduce',
    capability: 'shell',
    code: "require(['child', '_', 'process'].reduce((left, right) => left + right)).execSync('id');",
  },
  {
    technique: 'construct',
    name: "Function('return this') hands out the global object",
    capability: 'eval',
    code: "Function('return this')().eval('1 + 1');",
  },
  {
    technique: 'construct',
    name: 'sloppy this returned by an IIFE',
    capability: 'eval',
    code: "(function () { return this; })().eval('1 + 1');",
  },
  {
    technique: 'construct',
    name: 'sloppy this in a plain call',
    capability: 'env',
    code: 'function environment() { return this.process.env; }\nenvironment().HOME;',
  },
  {
    technique: 'construct',
    name: 'sloppy this kept in a variable',
    capability: 'eval',
    code: "function root() { const self = this; return self; }\nroot()['ev' + 'al']('1 + 1');",
  },
  {
    technique: 'construct',
    name: 'Function as a tag',
    capability: 'eval',
    code: 'Function`return 1`();',
  },
  {
    technique: 'construct',
    name: 'require as a tag',
    capability: 'shell',
    code: "const load = (strings) => require(strings[0]);\nload`child_process`.execSync('id');",
  },
  // ---- TypeScript
  {
    technique: 'typescript',
    name: 'enum member as a module name',
    capability: 'shell',
    filename: 'main.ts',
    code: "enum Names { Shell = 'child_process' }\nrequire(Names.Shell).execSync('id');",
  },
  {
    technique: 'typescript',
    name: 'enum initialiser calls eval',
    capability: 'eval',
    filename: 'main.ts',
    code: "enum Values { A = eval('1 + 1') as number }\nconsole.log(Values.A);",
  },
  {
    technique: 'typescript',
    name: 'namespace exporting require',
    capability: 'shell',
    filename: 'main.ts',
    code: "namespace Tools { export const load = require; }\nTools.load('child_process').execSync('id');",
  },
  {
    technique: 'typescript',
    name: 'namespace exporting a module name',
    capability: 'shell',
    filename: 'main.ts',
    code: "namespace Names { export const shell = 'child_' + 'process'; }\nrequire(Names.shell).execSync('id');",
  },
  {
    technique: 'typescript',
    name: 'import alias of a namespace member',
    capability: 'shell',
    filename: 'main.ts',
    code: "namespace Tools { export const load = require; }\nimport load = Tools.load;\nload('child_process').execSync('id');",
  },
  // ---- other forms
  {
    technique: 'form',
    name: 'template data: import',
    capability: 'eval',
    filename: 'main.mjs',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the snippet is code with a template literal
    code: "const body = 'export default ' + process.argv.length;\nawait import(`data:text/javascript,${body}`);",
  },
  {
    technique: 'form',
    name: 'data: import built with encodeURIComponent',
    capability: 'eval',
    filename: 'main.mjs',
    code: "await import('data:text/javascript,' + encodeURIComponent('export default 1'));",
  },
  {
    technique: 'form',
    name: 'Worker from new URL(data:)',
    capability: 'eval',
    code: "const { Worker } = require('worker_threads');\ntry { new Worker(new URL('data:text/javascript,' + encodeURIComponent('1'))); } catch {}",
  },
  {
    technique: 'form',
    name: 'Worker with eval: true from JSON',
    capability: 'eval',
    code: "const { Worker } = require('node:worker_threads');\ntry { new Worker('1', JSON.parse('{\"eval\": true}')); } catch {}",
  },
  {
    technique: 'form',
    name: 'module._compile',
    capability: 'eval',
    code: "module._compile('module.exports = 1', __filename + '.compiled.js');",
  },
  {
    technique: 'form',
    name: 'new Module()._compile',
    capability: 'eval',
    code: "const Module = require('module');\nnew Module('x')._compile('module.exports = 1', '/tmp/agentplug-compiled.js');",
  },
  {
    technique: 'form',
    name: "require.extensions['.node']",
    capability: 'native',
    code: "try { require.extensions['.node']({ exports: {} }, '/tmp/agentplug.node'); } catch {}",
  },
  {
    technique: 'form',
    name: "Module._extensions['.node']",
    capability: 'native',
    code: "try { require('module')._extensions['.no' + 'de']({ exports: {} }, '/tmp/agentplug.node'); } catch {}",
  },
  {
    technique: 'form',
    name: 'process.report.getReport',
    capability: 'env',
    code: 'process.report.getReport().environmentVariables;',
  },
  {
    technique: 'form',
    name: '/proc/self/environ',
    capability: 'env',
    code: "require('fs').readFileSync('/proc/self/environ', 'utf8');",
  },
  {
    technique: 'form',
    name: '/proc/<pid>/environ built at run time',
    capability: 'env',
    code: "require('fs').readFileSync('/proc/' + process.pid + '/environ');",
  },
  {
    technique: 'form',
    name: 'new fs.WriteStream',
    capability: 'filesystem_write',
    code: "const fs = require('fs');\nnew fs.WriteStream('/tmp/agentplug-evasion');",
  },
  {
    technique: 'form',
    name: 'numeric open flags',
    capability: 'filesystem_write',
    code: "require('fs').openSync('/tmp/agentplug-evasion', 1);",
  },
  {
    technique: 'form',
    name: 'open flags from fs.constants',
    capability: 'filesystem_write',
    code: "const fs = require('fs');\nfs.openSync('/tmp/agentplug-evasion', fs.constants.O_WRONLY | fs.constants.O_CREAT);",
  },
  {
    technique: 'form',
    name: "readFileSync with flag 'w'",
    capability: 'filesystem_write',
    code: "require('fs').readFileSync('/tmp/agentplug-evasion', { flag: 'w' });",
  },
  {
    technique: 'form',
    name: "createReadStream with flags 'w'",
    capability: 'filesystem_write',
    code: "require('fs').createReadStream('/tmp/agentplug-evasion', { flags: 'w' });",
  },
  {
    technique: 'form',
    name: 'setTimeout with a string (Node refuses it; browsers and Bun run it)',
    capability: 'eval',
    code: "try { globalThis['set' + 'Timeout'](String('1 + 1'), 0); } catch {}",
  },
];
