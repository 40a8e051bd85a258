import type { PluginMetadata } from '@agentplug/models';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type CreatePlugin,
  defineCapability,
  defineCustom,
  defineEngine,
  defineIntegration,
  defineMiddleware,
  definePlugin,
  defineTool,
  type PluginContext,
  z,
} from '../index';

describe('definePlugin inference', () => {
  test('each handler gets the parsed output of its own params schema', () => {
    definePlugin({
      capabilities: {
        greet: {
          params: z.object({ name: z.string(), times: z.number().default(1) }),
          handler: (params) => {
            expectTypeOf(params).toEqualTypeOf<{ name: string; times: number }>();
            return params.name.repeat(params.times);
          },
        },
        add: {
          params: z.object({ a: z.number(), b: z.number() }),
          handler: (params) => {
            expectTypeOf(params).toEqualTypeOf<{ a: number; b: number }>();
            return params.a + params.b;
          },
        },
      },
    });
  });

  test('the config type comes from the config schema, with defaults applied', () => {
    definePlugin({
      config: z.object({ greeting: z.string().default('Hello'), loud: z.boolean().optional() }),
      capabilities: {
        greet: {
          params: z.object({ name: z.string() }),
          handler: (_params, context) => {
            expectTypeOf(context.config).toEqualTypeOf<{ greeting: string; loud?: boolean | undefined }>();
            expectTypeOf(context.metadata).toEqualTypeOf<PluginMetadata>();
          },
        },
      },
      activate: (context) => {
        expectTypeOf(context.config.greeting).toEqualTypeOf<string>();
      },
    });
  });

  test('the instance has one method per capability taking the schema input', async () => {
    const definition = definePlugin({
      capabilities: {
        greet: { params: z.object({ name: z.string(), times: z.number().default(1) }), handler: () => 'hi' },
      },
    });
    const instance = await definition({} as PluginMetadata, {});
    expectTypeOf(instance.greet).parameter(0).toEqualTypeOf<{ name: string; times?: number | undefined }>();
    expectTypeOf(instance.greet).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(instance.initialize).toEqualTypeOf<(() => void | Promise<void>) | undefined>();
    expectTypeOf(definition.capabilities).toHaveProperty('greet');
  });

  test('a definition is a createPlugin factory the loader accepts', () => {
    const definition = definePlugin({ capabilities: {} });
    expectTypeOf(definition).toExtend<CreatePlugin>();
    expectTypeOf(definition.createPlugin).toEqualTypeOf(definition);
  });

  test('a handler reading a field its schema lacks does not compile', () => {
    definePlugin({
      capabilities: {
        greet: {
          params: z.object({ name: z.string() }),
          // @ts-expect-error: `age` is not in the schema
          handler: (params) => params.age,
        },
      },
    });
  });

  test('a hook with parameters beyond the context does not compile', () => {
    definePlugin({
      // @ts-expect-error: hooks take only the context
      activate: (_context: PluginContext, _extra: string) => {},
    });
  });
});

describe('defineCapability', () => {
  test('infers params and result for a capability kept on its own', () => {
    const add = defineCapability({
      params: z.object({ a: z.number(), b: z.number() }),
      handler: ({ a, b }) => a + b,
    });
    expectTypeOf(add.handler).parameter(0).toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf(add.handler).returns.toEqualTypeOf<number | Promise<number>>();
    definePlugin({ capabilities: { add } });
  });
});

describe('typed helpers', () => {
  test('tool, engine and custom infer like definePlugin', () => {
    for (const define of [defineTool, defineEngine, defineCustom]) {
      define({
        config: z.object({ depth: z.number().default(3) }),
        capabilities: {
          run: {
            params: z.object({ goal: z.string() }),
            handler: (params, context) => {
              expectTypeOf(params).toEqualTypeOf<{ goal: string }>();
              expectTypeOf(context.config.depth).toEqualTypeOf<number>();
            },
          },
        },
      });
    }
  });

  test('middleware handle is typed by its value and result', async () => {
    const definition = defineMiddleware<{ prompt: string }, string>({
      handle: async (value, next, context) => {
        expectTypeOf(value).toEqualTypeOf<{ prompt: string }>();
        expectTypeOf(next).returns.toEqualTypeOf<Promise<string>>();
        expectTypeOf(context.config).toEqualTypeOf<Record<string, unknown>>();
        return next({ prompt: value.prompt.trim() });
      },
    });
    const instance = await definition({} as PluginMetadata);
    expectTypeOf(instance.handle).parameter(0).toEqualTypeOf<{ prompt: string }>();
  });

  test("integration handlers see connect's return as context.connection", () => {
    defineIntegration({
      config: z.object({ url: z.string() }),
      connect: (context) => ({ url: context.config.url, fetchIssue: (id: number) => ({ id }) }),
      capabilities: {
        issue: {
          params: z.object({ id: z.number() }),
          handler: (params, context) => {
            expectTypeOf(context.connection.url).toEqualTypeOf<string>();
            return context.connection.fetchIssue(params.id);
          },
        },
      },
      disconnect: (connection) => {
        expectTypeOf(connection.url).toEqualTypeOf<string>();
      },
    });
  });
});
