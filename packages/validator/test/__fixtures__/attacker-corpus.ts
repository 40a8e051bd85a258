// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the snippets are code, and some of that code holds template literals
import type { BenignCase } from './benign-corpus';
import type { EvasionCase } from './evasion-corpus';

/**
 * Evasions by class of technique an attacker reaches for first (aliasing, computed keys,
 * destructuring, getters, Reflect, with and eval, dynamic import, string building, prototype
 * walking, module wrappers, bundler output), each a spelling the issue 17 corpus does not use.
 * Proven and scanned by the same tests as `evasion-corpus.ts`; their look-alikes are below.
 */
const SHELL = "('child_process').execSync('id')";

function evasion(
  technique: string,
  name: string,
  capability: EvasionCase['capability'],
  code: string,
  filename?: string,
): EvasionCase {
  return filename === undefined
    ? { technique, name, capability, code }
    : { technique, name, capability, code, filename };
}

function benign(technique: string, name: string, code: string, filename?: string): BenignCase {
  return filename === undefined ? { technique, name, code } : { technique, name, code, filename };
}

export const ATTACKER_EVASIONS: readonly EvasionCase[] = [
  evasion(
    'alias',
    'a chain of aliases',
    'shell',
    `const a = require;\nconst b = a;\nconst c = b;\nc${SHELL};`,
  ),
  evasion('alias', 'logical assignment ||=', 'shell', `let load;\nload ||= require;\nload${SHELL};`),
  evasion('alias', 'logical assignment ??=', 'shell', `let load = null;\nload ??= require;\nload${SHELL};`),
  evasion('alias', 'logical assignment &&=', 'shell', `let load = 1;\nload &&= require;\nload${SHELL};`),
  evasion(
    'alias',
    'a member assigned with ||=',
    'shell',
    `const box = {};\nbox.load ||= require;\nbox.load${SHELL};`,
  ),
  evasion(
    'alias',
    'swapped by destructuring',
    'shell',
    `let a = require, b = 1;\n[a, b] = [b, a];\nb${SHELL};`,
  ),
  evasion(
    'alias',
    'a default parameter',
    'shell',
    `function run(load = require) { return load${SHELL}; }\nrun();`,
  ),
  evasion('alias', 'a default in destructuring', 'shell', `const { load = require } = {};\nload${SHELL};`),
  evasion('alias', 'a sequence expression', 'shell', `const load = (0, require);\nload${SHELL};`),
  evasion(
    'computed',
    'a computed key in an object literal',
    'shell',
    `const key = 'x';\nconst box = { [key]: require };\nbox.x${SHELL};`,
  ),
  evasion(
    'computed',
    'a computed key from arithmetic',
    'shell',
    `const box = { [1 + 1]: require };\nbox[2]${SHELL};`,
  ),
  evasion(
    'computed',
    'a template member of child_process',
    'shell',
    "require('child_process')[`ex${'ec'}Sync`]('id');",
  ),
  evasion(
    'computed',
    'process on globalThis by concat',
    'shell',
    `globalThis['pro'.concat('cess')].getBuiltinModule${SHELL};`,
  ),
  evasion(
    'computed',
    'a module name lower-cased',
    'shell',
    "require('CHILD_PROCESS'.toLowerCase()).execSync('id');",
  ),
  evasion('computed', 'a module name sliced', 'shell', "require('xchild_process'.slice(1)).execSync('id');"),
  evasion(
    'destructuring',
    'require out of module',
    'shell',
    `const { require: load } = module;\nload${SHELL};`,
  ),
  evasion(
    'destructuring',
    'process out of globalThis',
    'shell',
    `const { process: host } = globalThis;\nhost.getBuiltinModule${SHELL};`,
  ),
  evasion(
    'destructuring',
    'nested, out of process.mainModule',
    'shell',
    `const { mainModule: { require: load } } = process;\nload${SHELL};`,
  ),
  evasion(
    'destructuring',
    'constructor of constructor',
    'eval',
    "const { constructor: { constructor: make } } = {};\nmake('return 1')();",
  ),
  evasion(
    'destructuring',
    'in the parameters of an arrow',
    'shell',
    `(({ require: load }) => load${SHELL})(module);`,
  ),
  evasion(
    'destructuring',
    'by a computed key',
    'shell',
    `const key = 'require';\nconst { [key]: load } = module;\nload${SHELL};`,
  ),
  evasion(
    'getter',
    'a getter from defineProperty',
    'shell',
    `const box = {};\nObject.defineProperty(box, 'load', { get: () => require });\nbox.load${SHELL};`,
  ),
  evasion(
    'getter',
    'a class getter',
    'shell',
    `class Box { get load() { return require; } }\nnew Box().load${SHELL};`,
  ),
  evasion(
    'getter',
    '__defineGetter__',
    'shell',
    `const box = {};\nbox.__defineGetter__('load', () => require);\nbox.load${SHELL};`,
  ),
  evasion('reflect', 'Reflect.get of module.require', 'shell', `Reflect.get(module, 'require')${SHELL};`),
  evasion('reflect', 'Reflect.construct of Function', 'eval', "Reflect.construct(Function, ['return 1'])();"),
  evasion('reflect', 'Reflect.apply of eval', 'eval', "Reflect.apply(eval, null, ['1']);"),
  evasion(
    'reflect',
    'Reflect.getOwnPropertyDescriptor of eval',
    'eval',
    "Reflect.getOwnPropertyDescriptor(globalThis, 'eval').value('1');",
  ),
  evasion(
    'reflect',
    'Reflect.ownKeys of the global object',
    'eval',
    "for (const key of Reflect.ownKeys(globalThis)) if (key === 'eval') globalThis[key]('1');",
  ),
  evasion(
    'reflect',
    'Reflect.getPrototypeOf of a function',
    'eval',
    "Reflect.getPrototypeOf(function () {}).constructor('return 1')();",
  ),
  evasion('eval', 'with over the global object', 'eval', "with (globalThis) { eval('1'); }"),
  evasion('eval', 'with over process', 'shell', `with (process) { getBuiltinModule${SHELL}; }`),
  evasion('eval', 'with over module', 'shell', `with (module) { require${SHELL}; }`),
  evasion('eval', 'eval of code that starts a process', 'shell', `eval("process.getBuiltinModule${SHELL}");`),
  evasion('eval', 'eval handing out process', 'shell', `eval('process').getBuiltinModule${SHELL};`),
  evasion(
    'eval',
    'Function of code that starts a process',
    'shell',
    `Function("return process.getBuiltinModule${SHELL}")();`,
  ),
  evasion('eval', 'eval from an array', 'eval', "[eval][0]('1');"),
  evasion(
    'eval',
    'eval through an alias of the global object',
    'eval',
    "const root = globalThis;\nconst run = root.eval;\nrun('1');",
  ),
  evasion(
    'dynamic-import',
    'import() of a concatenation in CommonJS',
    'shell',
    "import('child_' + 'process').then((m) => m.execSync('id'));",
  ),
  evasion(
    'dynamic-import',
    'import() of a template',
    'shell',
    "const part = 'child';\nimport(`${part}_process`).then((m) => m.execSync('id'));",
  ),
  evasion(
    'dynamic-import',
    'import() then destructuring',
    'shell',
    "import('node:child_process').then(({ execSync }) => execSync('id'));",
    'main.mjs',
  ),
  evasion(
    'dynamic-import',
    'await import()',
    'shell',
    "const { execSync } = await import('child_process');\nexecSync('id');",
    'main.mjs',
  ),
  evasion(
    'dynamic-import',
    'import() of a name from the command line',
    'shell',
    "const name = process.argv[2] ?? 'child_process';\nimport(name).then((m) => m.execSync('id'));",
  ),
  evasion(
    'string',
    'String.fromCodePoint',
    'shell',
    "require(String.fromCodePoint(99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115)).execSync('id');",
  ),
  evasion(
    'string',
    'characters joined',
    'shell',
    "require(['c', 'h', 'i', 'l', 'd', '_', 'p', 'r', 'o', 'c', 'e', 's', 's'].join('')).execSync('id');",
  ),
  evasion(
    'string',
    'char codes mapped and joined',
    'shell',
    "require([99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115].map((c) => String.fromCharCode(c)).join('')).execSync('id');",
  ),
  evasion(
    'string',
    'concat of parts',
    'shell',
    "require(''.concat('child', '_', 'process')).execSync('id');",
  ),
  evasion(
    'string',
    'decodeURIComponent',
    'shell',
    "require(decodeURIComponent('child%5Fprocess')).execSync('id');",
  ),
  evasion('string', 'unescape', 'shell', "require(unescape('child%5Fprocess')).execSync('id');"),
  evasion(
    'string',
    'base64 through toString',
    'shell',
    "require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString()).execSync('id');",
  ),
  evasion(
    'string',
    'TextDecoder',
    'shell',
    "require(new TextDecoder().decode(new Uint8Array([99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115]))).execSync('id');",
  ),
  evasion(
    'string',
    'Array.prototype.join.call',
    'shell',
    "require(Array.prototype.join.call(['child', 'process'], '_')).execSync('id');",
  ),
  evasion(
    'string',
    'the values of an object joined',
    'shell',
    "require(Object.values({ a: 'child_', b: 'process' }).join('')).execSync('id');",
  ),
  evasion(
    'string',
    'the name of a function',
    'shell',
    "require(function child_process() {}.name).execSync('id');",
  ),
  evasion(
    'prototype',
    'the AsyncFunction constructor',
    'eval',
    "const make = Object.getPrototypeOf(async function () {}).constructor;\nmake('return 1')();",
  ),
  evasion(
    'prototype',
    'the GeneratorFunction constructor',
    'eval',
    "const make = Object.getPrototypeOf(function* () {}).constructor;\nmake('yield 1')().next();",
  ),
  evasion(
    'prototype',
    '__proto__ of an arrow',
    'eval',
    "const make = (() => {}).__proto__.constructor;\nmake('return 1')();",
  ),
  evasion('prototype', 'the constructor of an array method', 'eval', "[].map.constructor('return 1')();"),
  evasion('prototype', 'the constructor of a string method', 'eval', "''.big.constructor('return 1')();"),
  evasion(
    'prototype',
    'the constructor of the global toString',
    'eval',
    "toString.constructor('return 1')();",
  ),
  evasion('prototype', 'the global constructor', 'eval', "constructor.constructor('return 1')();"),
  evasion('prototype', 'the constructor of console.log', 'eval', "console.log.constructor('return 1')();"),
  evasion(
    'prototype',
    'new of the constructor of Math.max',
    'eval',
    "new Math.max.constructor('return 1')();",
  ),
  evasion(
    'prototype',
    'Function.prototype.constructor',
    'eval',
    "Function.prototype.constructor('return 1')();",
  ),
  evasion(
    'prototype',
    'the constructor of process',
    'eval',
    "process.constructor.constructor('return 1')();",
  ),
  evasion('prototype', 'the constructor of require', 'eval', "require.constructor('return 1')();"),
  evasion(
    'prototype',
    'a class extending Function',
    'eval',
    "class Maker extends Function {}\nnew Maker('return 1')();",
  ),
  evasion(
    'prototype',
    'the prototype chain of the global object',
    'eval',
    "Object.getPrototypeOf(Object.getPrototypeOf(globalThis)).constructor.constructor('return 1')();",
  ),
  evasion('wrapper', 'module.constructor._load', 'shell', `module.constructor._load${SHELL};`),
  evasion(
    'wrapper',
    'Module.prototype.require called on module',
    'shell',
    "module.constructor.prototype.require.call(module, 'child_process').execSync('id');",
  ),
  evasion('wrapper', "require('module')._load", 'shell', `require('module')._load${SHELL};`),
  evasion(
    'wrapper',
    'createRequire of __filename',
    'shell',
    `const { createRequire } = require('module');\ncreateRequire(__filename)${SHELL};`,
  ),
  evasion(
    'wrapper',
    'a UMD wrapper handed require',
    'shell',
    `(function (root, factory) {\n  if (typeof module === 'object') module.exports = factory(require);\n  else root.lib = factory();\n})(this, function (load) { return load${SHELL}; });`,
  ),
  evasion(
    'wrapper',
    'an AMD-style define over require',
    'shell',
    "function define(names, factory) { return factory(...names.map(require)); }\ndefine(['child_process'], (cp) => cp.execSync('id'));",
  ),
  evasion('wrapper', 'require.main.constructor._load', 'shell', `require.main.constructor._load${SHELL};`),
  evasion(
    'wrapper',
    'process.mainModule.constructor._load',
    'shell',
    `process.mainModule.constructor._load${SHELL};`,
  ),
  evasion('wrapper', 'vm.runInThisContext', 'eval', "require('vm').runInThisContext('1');"),
  evasion('wrapper', 'vm.compileFunction', 'eval', "require('vm').compileFunction('return 1')();"),
  evasion(
    'bundler',
    "webpack's runtime",
    'shell',
    "var __webpack_modules__ = { 1: (m) => { m.exports = require('child_process'); } };\nfunction __webpack_require__(id) { var m = { exports: {} }; __webpack_modules__[id](m); return m.exports; }\n__webpack_require__(1).execSync('id');",
  ),
  evasion(
    'bundler',
    "esbuild's __require",
    'shell',
    `var __require = typeof require !== 'undefined' ? require : (x) => { throw new Error(x); };\n__require${SHELL};`,
  ),
  evasion(
    'bundler',
    "esbuild's __require proxy",
    'shell',
    `var __require = ((x) => typeof require !== 'undefined' ? require : typeof Proxy !== 'undefined' ? new Proxy(x, { get: (a, b) => (typeof require !== 'undefined' ? require : a)[b] }) : x)(function (x) {\n  if (typeof require !== 'undefined') return require.apply(this, arguments);\n  throw Error('Dynamic require of "' + x + '" is not supported');\n});\n__require${SHELL};`,
  ),
  evasion(
    'bundler',
    'createRequire of import.meta.url',
    'shell',
    `import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\nrequire${SHELL};`,
    'main.mjs',
  ),
  evasion(
    'bundler',
    "Rollup's commonjsRequire",
    'shell',
    "function commonjsRequire(path) { return require(path); }\ncommonjsRequire('child_process').execSync('id');",
  ),
  evasion(
    'bundler',
    "webpack's __non_webpack_require__",
    'shell',
    `const load = typeof __non_webpack_require__ === 'function' ? __non_webpack_require__ : require;\nload${SHELL};`,
  ),
  evasion(
    'bundler',
    'an interop default of a required module',
    'shell',
    "function interop(m) { return m && m.__esModule ? m : { default: m }; }\ninterop(require('child_process')).default.execSync('id');",
  ),
  evasion(
    'bundler',
    'new Function handed require',
    'eval',
    "new Function('load', 'return load(\"os\")')(require);",
  ),
  evasion(
    'flow',
    'an async generator read by for await',
    'shell',
    `async function* give() { yield require; }\n(async () => { for await (const load of give()) load${SHELL}; })();`,
  ),
  evasion(
    'flow',
    'Promise.resolve of require',
    'shell',
    `Promise.resolve(require).then((load) => load${SHELL});`,
  ),
  evasion(
    'flow',
    'a closure run by queueMicrotask',
    'shell',
    `const load = require;\nqueueMicrotask(() => load${SHELL});`,
  ),
  evasion(
    'flow',
    'a WeakMap',
    'shell',
    `const map = new WeakMap();\nconst key = {};\nmap.set(key, require);\nmap.get(key)${SHELL};`,
  ),
  evasion('flow', 'a Set read by for-of', 'shell', `for (const load of new Set([require])) load${SHELL};`),
  evasion(
    'flow',
    'an object in an array',
    'shell',
    `const list = [{ load: require }];\nlist[0].load${SHELL};`,
  ),
  evasion('flow', 'find over an array holding require', 'shell', `[require].find(Boolean)${SHELL};`),
  evasion('flow', 'pop of an array holding require', 'shell', `const box = [require];\nbox.pop()${SHELL};`),
  evasion(
    'flow',
    'forEach over an array holding require',
    'shell',
    `[require].forEach((load) => load${SHELL});`,
  ),
  evasion(
    'flow',
    'an object given as this to valueOf',
    'shell',
    `const box = { load: require };\nObject.prototype.valueOf.call(box).load${SHELL};`,
  ),
  evasion(
    'flow',
    'a switch that assigns',
    'shell',
    `let load;\nswitch (1) { case 1: load = require; }\nload${SHELL};`,
  ),
  evasion(
    'flow',
    'assigned in try, used in finally',
    'shell',
    `let load;\ntry { load = require; } finally { load${SHELL}; }`,
  ),
  evasion(
    'flow',
    'a static method returning require',
    'shell',
    `class Box { static load() { return require; } }\nBox.load()${SHELL};`,
  ),
  evasion('flow', 'require.bind', 'shell', `const load = require.bind(null);\nload${SHELL};`),
  evasion('flow', 'require.apply', 'shell', "require.apply(null, ['child_process']).execSync('id');"),
];

export const ATTACKER_BENIGN: readonly BenignCase[] = [
  benign(
    'alias',
    'a cache made with ||=',
    "let cache;\ncache ||= new Map();\ncache.set('a', 1);\nlet count = 0;\ncount ??= 1;",
  ),
  benign(
    'alias',
    'a default parameter of data',
    "function greet(name = 'world') { return `hello ${name}`; }\ngreet();",
  ),
  benign(
    'computed',
    'computed keys of data',
    "const key = 'name';\nconst box = { [key]: 1, [`${key}2`]: 2 };\nconsole.log(box[key], box.name2);",
  ),
  benign(
    'destructuring',
    'process and objects destructured for data',
    'const { version, platform } = process;\nconst { a = 1, b: { c } = { c: 2 } } = {};\nconsole.log(version, platform, a, c);',
  ),
  benign(
    'getter',
    'getters of data',
    "class Box { get size() { return 1; } }\nconst box = {};\nObject.defineProperty(box, 'size', { get: () => 2 });\nconsole.log(new Box().size + box.size);",
  ),
  benign(
    'reflect',
    'Reflect over data',
    "const box = { a: 1 };\nReflect.get(box, 'a');\nReflect.ownKeys(box);\nReflect.apply(Math.max, null, [1, 2]);",
  ),
  benign('eval', 'JSON naming eval and Function', 'JSON.parse(\'{"eval": 1, "Function": 2}\').eval;'),
  benign(
    'dynamic-import',
    'import() of a relative file',
    "import('./locale/en.js').catch(() => {});",
    'main.mjs',
  ),
  benign(
    'string',
    'strings built for display',
    "const words = ['child', 'process'];\nconsole.log(words.join('_').toUpperCase(), String.fromCharCode(104, 105));",
  ),
  benign(
    'prototype',
    'prototype methods and constructors of data',
    "class Point { clone() { return new this.constructor(); } }\nnew Point().clone();\n[1, 2].map.call('ab', (c) => c);\nconst isFunction = [].map.constructor === Function;\nconsole.log(Object.getPrototypeOf({}).hasOwnProperty('a'), isFunction);",
  ),
  benign(
    'wrapper',
    'a UMD wrapper of plain code',
    "(function (root, factory) {\n  if (typeof module === 'object') module.exports = factory();\n  else root.lib = factory();\n})(this, function () { return { add: (a, b) => a + b }; });",
  ),
  benign(
    'bundler',
    'a webpack-style runtime of plain modules',
    'var __webpack_modules__ = { 1: (m) => { m.exports = 42; } };\nfunction __webpack_require__(id) { var m = { exports: {} }; __webpack_modules__[id](m); return m.exports; }\n__webpack_require__(1);',
  ),
  benign(
    'flow',
    'containers of data handed to methods',
    'const box = [1, 2];\nbox.pop();\n[3].forEach((n) => n);\nObject.prototype.valueOf.call({ a: 1 });\nnew Set([1]).has(1);',
  ),
];
