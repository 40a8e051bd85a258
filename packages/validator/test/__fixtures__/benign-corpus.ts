/**
 * Code that looks like an evasion of `evasion-corpus.ts` but reaches nothing: the proof test runs
 * each one and asserts no capability is reached; the scan must report nothing for any of them.
 */
export interface BenignCase {
  name: string;
  /** The technique of issue 17 it looks like. */
  technique: string;
  code: string;
  filename?: string;
}

export const BENIGN: readonly BenignCase[] = [
  // ---- look-alikes of the APIs
  {
    technique: 'api',
    name: 'a local getBuiltinModule',
    code: "const getBuiltinModule = (name) => ({ name });\ngetBuiltinModule('child_process');",
  },
  {
    technique: 'api',
    name: 'a method named getBuiltinModule on a plain object',
    code: "const registry = { getBuiltinModule(name) { return name.length; } };\nregistry.getBuiltinModule('fs');",
  },
  {
    technique: 'api',
    name: 'process.versions and platform',
    code: 'console.log(process.versions.node, process.platform, process.argv.length);',
  },
  {
    technique: 'api',
    name: 'process events and timers',
    code: "process.on('exit', () => {});\nprocess.nextTick(() => {});\nprocess.exitCode = 0;\nprocess.stdout.write('');",
  },
  // ---- look-alikes of value flow
  {
    technique: 'flow',
    name: 'map with a local function',
    code: "['a', 'b'].map((text) => text.toUpperCase());",
  },
  { technique: 'flow', name: 'map with String', code: '[1, 2].map(String).map(Number);' },
  {
    technique: 'flow',
    name: 'a thrown error caught',
    code: "try { throw new Error('x'); } catch (error) { console.log(error.message.length); }",
  },
  {
    technique: 'flow',
    name: 'a getter returning data',
    code: "const holder = { get name() { return 'plugin'; } };\nholder.name.length;",
  },
  {
    technique: 'flow',
    name: 'arguments of a plain function',
    code: 'function sum() { return [...arguments].reduce((left, right) => left + right, 0); }\nsum(1, 2, 3);',
  },
  { technique: 'flow', name: 'a promise chain', code: 'Promise.resolve(1).then((value) => value + 1);' },
  { technique: 'flow', name: 'the keys of require.cache', code: 'Object.keys(require.cache).length;' },
  {
    technique: 'flow',
    name: 'module.exports and require.main',
    code: "module.exports = { name: 'plugin' };\nmodule.exports.version = 1;\nif (require.main === module) console.log(module.id.length);",
  },
  {
    technique: 'flow',
    name: 'typeof require',
    code: "const commonjs = typeof require === 'function' && typeof module === 'object';",
  },
  { technique: 'flow', name: 'module.children counted', code: 'console.log(module.children.length);' },
  {
    technique: 'flow',
    name: 'a symbol key',
    code: "const key = Symbol('k');\nconst holder = { [key]: 1 };\nholder[key] + 1;",
  },
  {
    technique: 'flow',
    name: 'class fields and a static block',
    code: "class Counter { count = 0; static version = '1'; static { this.ready = true; } }\nnew Counter().count;",
  },
  {
    technique: 'flow',
    name: 'a generator of data',
    code: 'function* numbers() { yield 1; yield 2; }\n[...numbers()];',
  },
  { technique: 'flow', name: 'for-of over data', code: "for (const name of ['a', 'b']) console.log(name);" },
  { technique: 'flow', name: 'a Map of data', code: "new Map([['a', 1]]).get('a');" },
  { technique: 'flow', name: 'an IIFE of data', code: '(function (value) { return value * 2; })(21);' },
  { technique: 'flow', name: 'Object.assign of data', code: "Object.assign({}, { name: 'x' }).name;" },
  { technique: 'flow', name: 'Object.values of data', code: 'Object.values({ a: 1, b: 2 }).length;' },
  {
    technique: 'flow',
    name: 'getOwnPropertyDescriptor of data',
    code: "Object.getOwnPropertyDescriptor({ a: 1 }, 'a').value;",
  },
  { technique: 'flow', name: 'a global flag', code: 'globalThis.agentplugReady = true;' },
  {
    technique: 'flow',
    name: 'reassigned handler',
    code: 'let handler = () => 1;\nfunction go() { return handler(); }\nhandler = () => 2;\ngo();',
  },
  {
    technique: 'flow',
    name: 'a Proxy over data',
    code: 'const names = new Proxy({}, { get: (_target, key) => String(key) });\nnames.anything.length;',
  },
  {
    technique: 'flow',
    name: 'functions passed to a helper',
    code: 'const apply = (fn, value) => fn(value);\napply(Math.abs, -1);\napply((x) => x, 2);',
  },
  {
    technique: 'flow',
    name: 'a method called exec on an object',
    code: "const runner = { exec(command) { return command.length; } };\nrunner.exec('rm -rf /');",
  },
  {
    technique: 'flow',
    name: 'a local fetch',
    code: "function fetch(url) { return url; }\nfetch('https://example.com');",
  },
  {
    technique: 'flow',
    name: 'a string mentioning eval',
    code: 'console.log(\'eval("x")\', \'require("child_process")\');',
  },
  {
    technique: 'flow',
    name: 'a shadowed process',
    code: "function read(process) { return process.env.HOME; }\nread({ env: { HOME: '/' } });",
  },
  // ---- look-alikes of the constructs
  { technique: 'construct', name: 'with over Math', code: 'with (Math) { console.log(max(1, 2)); }' },
  {
    technique: 'construct',
    name: 'String.raw of a path',
    code: 'const path = String.raw`C:\\plugins`;\npath.length;',
  },
  { technique: 'construct', name: 'JSON.parse of data', code: 'JSON.parse(\'{"a": 1}\').a;' },
  {
    technique: 'construct',
    name: 'a string built in a loop',
    code: "let word = '';\nfor (const code of [104, 105]) word += String.fromCharCode(code);\nconsole.log(word);",
  },
  {
    technique: 'construct',
    name: 'push and spread of data',
    code: "const parts = [];\nparts.push('a');\nconsole.log([...parts].join(''));",
  },
  {
    technique: 'construct',
    name: 'a constructor function returning this from a method',
    code: 'function Counter() { this.count = 0; }\nCounter.prototype.add = function () { this.count += 1; return this; };\nnew Counter().add().add();',
  },
  {
    technique: 'construct',
    name: 'a tag function',
    code: "const tag = (strings) => strings.join('');\ntag`hello`;",
  },
  {
    technique: 'construct',
    name: 'a relative require of data',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the snippet is code with a template literal
    code: "const locale = 'en';\ntry { require(`./locales/${locale}.json`); } catch {}",
  },
  // ---- look-alikes in TypeScript
  {
    technique: 'typescript',
    name: 'a string enum',
    filename: 'main.ts',
    code: "enum Color { Red = 'red', Green = 'green' }\nconsole.log(Color.Red, Color.Green);",
  },
  {
    technique: 'typescript',
    name: 'a namespace of helpers',
    filename: 'main.ts',
    code: 'namespace Util { export const add = (a: number, b: number) => a + b; }\nUtil.add(1, 2);',
  },
  {
    technique: 'typescript',
    name: 'a type-only import and an interface',
    filename: 'main.ts',
    code: "import type { ChildProcess } from 'child_process';\ninterface Runner { run(process: ChildProcess): void }\nexport const none: Runner | undefined = undefined;",
  },
  // ---- look-alikes of the other forms
  {
    technique: 'form',
    name: 'objects named like the APIs',
    code: "const report = { getReport: () => ({}) };\nreport.getReport();\nconst extensions = { '.node': () => 1 };\nextensions['.node']();",
  },
  {
    technique: 'form',
    name: 'a path string mentioning environ',
    code: "const path = '/proc/self/environ';\nconsole.log(path.length);",
  },
  {
    technique: 'form',
    name: 'options with a flag not given to fs',
    code: "const options = { flag: 'w', flags: 1 };\nconsole.log(options.flag);",
  },
  {
    technique: 'form',
    name: 'a class called WriteStream',
    code: "class WriteStream { constructor(path) { this.path = path; } }\nnew WriteStream('/tmp/x');",
  },
  {
    technique: 'form',
    name: 'a compile method',
    code: "const compiler = { _compile: (source) => source.length };\ncompiler._compile('x');",
  },
  {
    technique: 'form',
    name: 'a timer with a function',
    code: 'setTimeout(() => {}, 0);\nconst handle = setInterval(function tick() {}, 1000);\nclearInterval(handle);',
  },
  {
    technique: 'form',
    name: 'the global-object shim',
    code: "const root = typeof globalThis === 'object' ? globalThis : Function('return this')();\nroot.Math.max(1, 2);",
  },
  {
    technique: 'form',
    name: 'URL of a file',
    code: "new URL('./data.json', 'file:///plugins/x/').pathname;",
  },
];
