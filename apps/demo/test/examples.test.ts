import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readManifest } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { findExamplePlugins } from '../src/examples/find-example-plugins';
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

async function importPluginClass<Instance>(
  folder: string,
  modulePath: string,
): Promise<PluginClass<Instance>> {
  const entry = (await import(pathToFileURL(join(examplesFolder, folder, modulePath)).href)) as {
    Plugin: PluginClass<Instance>;
  };
  return entry.Plugin;
}

describe('the example manifests', () => {
  it('all parse with @agentplug/models, without warnings', async () => {
    const examples = await findExamplePlugins(examplesFolder);
    expect(examples.map((example) => example.manifest.plugin_id)).toEqual(
      expect.arrayContaining(['com.example.hello', 'com.example.calculator']),
    );
    for (const example of examples) expect(example.warnings).toEqual([]);
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
