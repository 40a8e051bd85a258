import type { PluginMetadata } from '@agentplug/models';
import { describe, expectTypeOf, test } from 'vitest';
import type {
  CreatePlugin,
  LifecycleHookName,
  Plugin,
  PluginConfigValues,
  PluginEntryModule,
  PluginInstance,
  PluginLifecycle,
} from '../index';

class GreeterPlugin {
  constructor(
    readonly metadata: PluginMetadata,
    readonly config: { greeting: string },
  ) {}
  async initialize(): Promise<void> {}
  activate(): void {}
  greet(params: { name: string }): string {
    return `${this.config.greeting}, ${params.name}`;
  }
}

class BareCapabilityPlugin {
  greet(params: { name: string }): string {
    return params.name;
  }
}

describe('PluginLifecycle', () => {
  test('every hook is optional and returns void or a promise of void', () => {
    expectTypeOf<PluginLifecycle>().toEqualTypeOf<{
      initialize?: () => void | Promise<void>;
      activate?: () => void | Promise<void>;
      deactivate?: () => void | Promise<void>;
      cleanup?: () => void | Promise<void>;
    }>();
    expectTypeOf<LifecycleHookName>().toEqualTypeOf<'initialize' | 'activate' | 'deactivate' | 'cleanup'>();
  });

  test('an object with no hooks is a lifecycle; a hook with a wrong signature is not', () => {
    expectTypeOf({}).toExtend<PluginLifecycle>();
    expectTypeOf({ activate: async () => {} }).toExtend<PluginLifecycle>();
    expectTypeOf({ activate: () => 42 }).not.toExtend<PluginLifecycle>();
    expectTypeOf({ cleanup: (force: boolean) => void force }).not.toExtend<PluginLifecycle>();
  });
});

describe('Plugin (the constructor an entry module exports)', () => {
  test('is constructed with the metadata and the config', () => {
    expectTypeOf<Plugin>().constructorParameters.toEqualTypeOf<[PluginMetadata, PluginConfigValues]>();
    expectTypeOf<Plugin<{ greeting: string }>>().constructorParameters.toEqualTypeOf<
      [PluginMetadata, { greeting: string }]
    >();
    expectTypeOf<Plugin>().instance.toEqualTypeOf<PluginInstance>();
  });

  test('a class with hooks and capabilities is a Plugin for its config type', () => {
    expectTypeOf(GreeterPlugin).toExtend<Plugin<{ greeting: string }>>();
    expectTypeOf(GreeterPlugin).toExtend<Plugin<{ greeting: string }, GreeterPlugin>>();
    expectTypeOf(GreeterPlugin).not.toExtend<Plugin<{ greeting: number }>>();
  });

  test('a class with only capabilities and no constructor is a Plugin', () => {
    expectTypeOf(BareCapabilityPlugin).toExtend<Plugin>();
  });

  test('a class whose hook returns a value is not a Plugin', () => {
    class WrongHook {
      activate(): number {
        return 1;
      }
    }
    expectTypeOf(WrongHook).not.toExtend<Plugin>();
  });
});

describe('CreatePlugin (the factory an entry module exports)', () => {
  test('takes metadata and config and returns an instance or a promise of one', () => {
    expectTypeOf<CreatePlugin>().parameters.toEqualTypeOf<[PluginMetadata, PluginConfigValues]>();
    expectTypeOf<CreatePlugin>().returns.toEqualTypeOf<PluginInstance | Promise<PluginInstance>>();
  });

  test('sync and async factories both fit, and infer their parameter types', () => {
    const createSync: CreatePlugin<{ precision: number }> = (metadata, config) => {
      expectTypeOf(metadata).toEqualTypeOf<PluginMetadata>();
      expectTypeOf(config).toEqualTypeOf<{ precision: number }>();
      return { add: (params: { a: number; b: number }) => params.a + params.b };
    };
    const createAsync: CreatePlugin = async () => ({ activate: async () => {} });
    expectTypeOf(createSync).toExtend<CreatePlugin<{ precision: number }>>();
    expectTypeOf(createAsync).toExtend<CreatePlugin>();
  });

  test('a factory returning a primitive is not a CreatePlugin', () => {
    expectTypeOf(() => 'not a plugin').not.toExtend<CreatePlugin>();
  });
});

describe('PluginEntryModule', () => {
  test('accepts a Plugin class, a createPlugin factory, or a default of either', () => {
    expectTypeOf({ Plugin: BareCapabilityPlugin }).toExtend<PluginEntryModule>();
    expectTypeOf({ createPlugin: () => ({}) }).toExtend<PluginEntryModule>();
    expectTypeOf({ default: BareCapabilityPlugin }).toExtend<PluginEntryModule>();
  });
});
