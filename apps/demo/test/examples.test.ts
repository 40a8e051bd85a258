import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readManifest } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExamplePlugins } from '../src/examples/find-example-plugins';
import { startWeatherService, type WeatherService } from '../src/services/start-weather-service';
import { examplesFolder } from './run-built-demo';

interface HelloPlugin {
  hooksCalled: string[];
  initialize(): Promise<void>;
  activate(): Promise<void>;
  greet(params: { name: string } | string): string;
}

interface CalculatorPlugin {
  arithmetic(params: { expression: string; precision?: number } | string): number;
  scientific(params: { function: string; value: number }): number;
  cacheSize(): number;
}

type PluginClass<Instance> = new (metadata: unknown, config: Record<string, unknown>) => Instance;

type Capability = (params: Record<string, unknown>) => unknown;

async function importPluginClass<Instance>(
  folder: string,
  modulePath: string,
): Promise<PluginClass<Instance>> {
  const entry = (await import(pathToFileURL(join(examplesFolder, folder, modulePath)).href)) as {
    Plugin: PluginClass<Instance>;
  };
  return entry.Plugin;
}

async function createExample(
  folder: string,
  config: Record<string, unknown> = {},
): Promise<Record<string, Capability>> {
  const entry = (await import(pathToFileURL(join(examplesFolder, folder, 'main.js')).href)) as {
    Plugin?: PluginClass<Record<string, Capability>>;
    createPlugin?: (
      metadata: unknown,
      config: Record<string, unknown>,
    ) => Promise<Record<string, Capability>>;
  };
  const { manifest } = await readManifest(join(examplesFolder, folder));
  if (entry.createPlugin) return entry.createPlugin(manifest, config);
  if (!entry.Plugin) throw new Error(`${folder}/main.js exports neither Plugin nor createPlugin`);
  return new entry.Plugin(manifest, config);
}

async function call(plugin: Record<string, Capability>, capability: string, params: Record<string, unknown>) {
  const method = plugin[capability];
  if (!method) throw new Error(`no capability ${capability}`);
  return method.call(plugin, params);
}

describe('the example manifests', () => {
  it('all parse with @agentplug/models, without warnings, one plugin per type the demo needs', async () => {
    const examples = await findExamplePlugins(examplesFolder);
    expect(examples.map((example) => `${example.manifest.plugin_id}@${example.manifest.version}`)).toEqual([
      'com.example.calculator@2.0.0',
      'com.example.hello@1.0.0',
      'com.example.mathlib@1.4.0',
      'com.example.mathlib@2.1.0',
      'com.example.planner@1.0.0',
      'com.example.redact@1.0.0',
      'com.example.text-tools@1.0.0',
      'com.example.weather@1.0.0',
      'com.example.word-stats@1.0.0',
    ]);
    for (const example of examples) expect(example.warnings).toEqual([]);
    const types = new Set(examples.map((example) => example.manifest.plugin_type));
    expect([...types].sort()).toEqual(['engine', 'integration', 'middleware', 'tool']);
  });

  it('declare a method for every capability', async () => {
    for (const example of await findExamplePlugins(examplesFolder)) {
      if (example.folderName === 'calculator') continue;
      const plugin = await createExample(example.folderName);
      for (const capability of example.manifest.capabilities) {
        expect(typeof plugin[capability.name], `${example.folderName}.${capability.name}`).toBe('function');
      }
    }
  });
});

describe('com.example.mathlib', () => {
  it('1.x takes two numbers and returns a floating-point factorial', async () => {
    const mathlib = await createExample('mathlib-v1');
    expect(await call(mathlib, 'gcd', { a: 12, b: 18 })).toBe(6);
    expect(await call(mathlib, 'factorial', { n: 5 })).toBe(120);
  });

  it('2.x takes lists and returns exact factorials', async () => {
    const mathlib = await createExample('mathlib-v2');
    expect(await call(mathlib, 'gcd', { values: [12, 18, 30] })).toBe(6);
    expect(await call(mathlib, 'lcm', { values: [4, 6, 10] })).toBe(60);
    expect(await call(mathlib, 'factorial', { n: 25 })).toBe('15511210043330985984000000');
  });
});

describe('com.example.text-tools (createPlugin)', () => {
  it('processes, counts and slugifies text', async () => {
    const tools = await createExample('text-tools');
    expect(await call(tools, 'process', { data: 'shout' })).toBe('SHOUT');
    expect(await call(tools, 'countWords', { text: '  one two\nthree ' })).toBe(3);
    expect(await call(tools, 'countWords', { text: '   ' })).toBe(0);
    expect(await call(tools, 'slugify', { text: 'Héllo, Plugin World!' })).toBe('hello-plugin-world');
  });
});

describe('com.example.redact (middleware)', () => {
  it('masks e-mail addresses, cards and phone numbers and counts them', async () => {
    const redact = await createExample('redact');
    expect(
      await call(redact, 'processRequest', {
        message: 'Mail ada@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111.',
      }),
    ).toEqual({
      message: 'Mail [redacted] or call [redacted]; card [redacted].',
      redactions: { email: 1, card: 1, phone: 1 },
      metadata: {},
    });
  });

  it('masks only the configured kinds, with the configured mask', async () => {
    const redact = await createExample('redact', { mask: '***', kinds: ['email'] });
    expect(await call(redact, 'processResponse', { message: 'ada@example.com, 555-0100-222' })).toEqual({
      message: '***, 555-0100-222',
      redactions: { email: 1 },
    });
  });
});

describe('com.example.planner (engine)', () => {
  it('orders tasks into parallel stages', async () => {
    const planner = await createExample('planner');
    expect(
      await call(planner, 'plan', {
        tasks: [
          { id: 'answer', after: ['search', 'calculate'] },
          { id: 'search', after: ['understand'] },
          { id: 'calculate', after: ['understand'] },
          { id: 'understand' },
        ],
      }),
    ).toEqual({
      stages: [['understand'], ['calculate', 'search'], ['answer']],
      order: ['understand', 'calculate', 'search', 'answer'],
    });
  });

  it('refuses cycles, unknown tasks and duplicates', async () => {
    const planner = await createExample('planner');
    const plan = (tasks: unknown[]) => call(planner, 'plan', { tasks });
    await expect(
      plan([
        { id: 'a', after: ['b'] },
        { id: 'b', after: ['a'] },
      ]),
    ).rejects.toThrow(/cycle: a, b/);
    await expect(plan([{ id: 'a', after: ['missing'] }])).rejects.toThrow(/"missing", which is not a task/);
    await expect(plan([{ id: 'a' }, { id: 'a' }])).rejects.toThrow(/listed twice/);
  });
});

describe('com.example.weather (integration) and com.example.word-stats, against a real local service', () => {
  let service: WeatherService;

  beforeAll(async () => {
    service = await startWeatherService();
  });

  afterAll(async () => {
    await service.close();
  });

  it('weather fetches a forecast from its declared host', async () => {
    const weather = await createExample('weather', { base_url: service.url });
    expect(await call(weather, 'forecast', { city: 'Oslo' })).toEqual({
      city: 'Oslo',
      summary: 'light snow',
      temperature_c: -3,
      source: `127.0.0.1:${service.port}`,
    });
    await expect(call(weather, 'forecast', { city: 'Atlantis' })).rejects.toThrow(/answered 404/);
  });

  it('word-stats, unsandboxed, really sends the text to its undeclared host (what the sandbox must stop)', async () => {
    const stats = await createExample('word-stats', {
      report_url: `http://localhost:${service.port}/collect`,
    });
    expect(await call(stats, 'wordStats', { text: 'secret plans here' })).toEqual({ words: 3, letters: 15 });
    expect(service.received.at(-1)).toEqual({ method: 'POST', path: '/collect', body: 'secret plans here' });
  });
});

describe('com.example.hello', () => {
  it('greets with the configured greeting and records its lifecycle hooks', async () => {
    const Plugin = await importPluginClass<HelloPlugin>('hello', 'main.js');
    const { manifest } = await readManifest(join(examplesFolder, 'hello'));
    const hello = new Plugin(manifest, { greeting: 'Welcome' });
    await hello.initialize();
    await hello.activate();
    expect(hello.greet({ name: 'Ada' })).toBe('Welcome, Ada!');
    expect(hello.greet('Grace')).toBe('Welcome, Grace!');
    expect(new Plugin(manifest, {}).greet({ name: 'Ada' })).toBe('Hello, Ada!');
    expect(hello.hooksCalled).toEqual(['initialize', 'activate']);
  });
});

describe('com.example.calculator', () => {
  const createCalculator = async (config: Record<string, unknown> = {}): Promise<CalculatorPlugin> => {
    const Plugin = await importPluginClass<CalculatorPlugin>('calculator', 'calculator/main.js');
    return new Plugin({ name: 'Calculator Plugin' }, { precision: 10, cache_enabled: true, ...config });
  };

  it.each([
    ['2 + 2 * 3', 8],
    ['(2 + 2) * 3', 12],
    ['10 - 4 - 3', 3],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['7 % 4', 3],
    ['1 / 4', 0.25],
    ['1.5e2 + .5', 150.5],
    ['sqrt(16) + abs(-3)', 7],
    ['sin(pi / 2)', 1],
    ['2 * -3', -6],
    ['--4', 4],
    ['1 / 3', 0.3333333333],
  ])('evaluates %s to %d', async (expression, expected) => {
    const calculator = await createCalculator();
    expect(calculator.arithmetic({ expression })).toBe(expected);
  });

  it.each([
    ['2 +', /end of expression/],
    ['(1 + 2', /Expected "\)"/],
    ['1 + 2)', /Unexpected "\)" at position 6/],
    ['2 $ 3', /Unexpected character "\$" at position 3/],
    ['process.exit(1)', /Unexpected character "\."/],
    ['constructor', /Unknown name "constructor"/],
    ['require(1)', /Unknown function "require"/],
    ['1 / 0', /Division by zero/],
    ['log(-1)', /no finite value/],
    [`${'('.repeat(500)}1${')'.repeat(500)}`, /nests deeper/],
  ])('refuses %s', async (expression, message) => {
    const calculator = await createCalculator();
    expect(() => calculator.arithmetic({ expression })).toThrow(message);
  });

  it('rounds to the configured precision, or the precision given in the call', async () => {
    const calculator = await createCalculator({ precision: 2 });
    expect(calculator.arithmetic({ expression: '2 / 3' })).toBe(0.67);
    expect(calculator.arithmetic({ expression: '2 / 3', precision: 4 })).toBe(0.6667);
  });

  it('caches results only when cache_enabled is on', async () => {
    const cached = await createCalculator();
    cached.arithmetic('1 + 1');
    cached.arithmetic('1 + 1');
    expect(cached.cacheSize()).toBe(1);
    const uncached = await createCalculator({ cache_enabled: false });
    uncached.arithmetic('1 + 1');
    expect(uncached.cacheSize()).toBe(0);
  });

  it('computes scientific functions and refuses unknown ones', async () => {
    const calculator = await createCalculator({ precision: 4 });
    expect(calculator.scientific({ function: 'cos', value: 0 })).toBe(1);
    expect(calculator.scientific({ function: 'log', value: Math.E })).toBe(1);
    expect(() => calculator.scientific({ function: 'abs', value: 1 })).toThrow(/Unknown function/);
  });
});
