import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The calculator's code: `add` returns `{ sum }`, or `{ sum, reloaded: true }` once rewritten. */
export function calculatorSource(options: { reloaded?: boolean } = {}): string {
  const result = options.reloaded ? '{ sum: a + b, reloaded: true }' : '{ sum: a + b }';
  return `export class Plugin {
  add({ a, b }) { return ${result}; }
  fail() { throw new Error('the calculator broke'); }
  hang() { return new Promise(() => {}); }
}
`;
}

const calculatorManifest = {
  plugin_id: 'com.example.calculator',
  name: 'Calculator',
  version: '1.0.0',
  description: 'Arithmetic for agents',
  author: 'agentplug tests',
  plugin_type: 'tool',
  entry_point: 'main',
  capabilities: [
    {
      name: 'add',
      description: 'Adds two numbers',
      parameters: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
        additionalProperties: false,
      },
    },
    { name: 'fail', description: 'Always throws', parameters: { type: 'object', properties: {} } },
    { name: 'hang', description: 'Never answers', parameters: { type: 'object', properties: {} } },
  ],
};

const greeterManifest = {
  plugin_id: 'com.example.greeter',
  name: 'Greeter',
  version: '1.0.0',
  description: 'Greets people',
  author: 'agentplug tests',
  plugin_type: 'tool',
  entry_point: 'main',
  capabilities: [
    {
      name: 'greet',
      description: 'Greets someone by name',
      parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
  ],
};

const greeterSource = `module.exports.createPlugin = () => ({
  greet({ name }) { return 'Hello, ' + name + '!'; },
});
`;

/** A temporary plugin directory with a calculator (ES module) and a greeter (CommonJS). */
export interface PluginDirectory {
  path: string;
  /** The calculator's entry file, rewritten by hot-reload tests. */
  calculatorEntry: string;
  remove(): Promise<void>;
}

/** Writes the two plain-JavaScript plugins into a fresh temporary folder. */
export async function createPluginDirectory(): Promise<PluginDirectory> {
  const path = await mkdtemp(join(tmpdir(), 'agentplug-mcp-'));
  const calculator = join(path, 'calculator');
  const greeter = join(path, 'greeter');
  await mkdir(calculator);
  await mkdir(greeter);
  await writeFile(join(calculator, 'plugin.json'), JSON.stringify(calculatorManifest, null, 2));
  await writeFile(join(calculator, 'main.mjs'), calculatorSource());
  await writeFile(join(greeter, 'plugin.json'), JSON.stringify(greeterManifest, null, 2));
  await writeFile(join(greeter, 'main.cjs'), greeterSource);
  return {
    path,
    calculatorEntry: join(calculator, 'main.mjs'),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

const sandboxedManifest = {
  plugin_id: 'com.example.sandboxed',
  name: 'Sandboxed',
  version: '1.0.0',
  description: 'Runs in its own worker',
  author: 'agentplug tests',
  plugin_type: 'tool',
  entry_point: 'main',
  capabilities: [
    {
      name: 'double',
      description: 'Doubles a number',
      parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    },
    { name: 'readPasswords', description: 'Reads a file it did not declare' },
    { name: 'exitProcess', description: 'Exits its process' },
  ],
};

const sandboxedSource = `import { readFileSync } from 'node:fs';
export class Plugin {
  double({ n }) { return n * 2; }
  readPasswords() { return readFileSync('/etc/passwd', 'utf8'); }
  exitProcess() { process.exit(3); }
}
`;

/** Adds a plugin whose config.json asks for worker (or process) isolation, with no permissions declared. */
export async function addSandboxedPlugin(
  directory: PluginDirectory,
  isolation: 'worker' | 'process' = 'worker',
): Promise<void> {
  const folder = join(directory.path, 'sandboxed');
  await mkdir(folder);
  await writeFile(join(folder, 'plugin.json'), JSON.stringify(sandboxedManifest, null, 2));
  await writeFile(
    join(folder, 'config.json'),
    JSON.stringify({ plugin_id: 'com.example.sandboxed', sandbox_config_override: { isolation } }),
  );
  await writeFile(join(folder, 'main.mjs'), sandboxedSource);
}
