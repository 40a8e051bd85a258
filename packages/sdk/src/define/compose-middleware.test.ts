import { PluginError, type PluginMetadata, parseManifest } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { z } from '../index';
import { composeMiddleware, type MiddlewareState } from './compose-middleware';
import { defineMiddleware } from './define-middleware';

function metadataFor(pluginId: string): PluginMetadata {
  return parseManifest({
    plugin_id: pluginId,
    name: pluginId,
    version: '1.0.0',
    description: 'middleware',
    author: 'Example',
    plugin_type: 'middleware',
    entry_point: 'main',
  });
}

const tagger = defineMiddleware<string[], string[]>({
  config: z.object({ tag: z.string() }),
  handle: async (value, next, { config }) => [
    ...(await next([...value, `in:${config.tag}`])),
    `out:${config.tag}`,
  ],
});

async function stateFor(
  pluginId: string,
  tag: string,
  priority: number,
  status = 'active',
): Promise<MiddlewareState> {
  const metadata = metadataFor(pluginId);
  return { metadata, status, config: { priority }, instance: await tagger(metadata, { tag }) };
}

describe('composeMiddleware', () => {
  test('runs active middleware by priority (highest outermost), ties by plugin id, skips inactive', async () => {
    const states = await Promise.all([
      stateFor('com.example.low', 'low', 1),
      stateFor('com.example.high', 'high', 10),
      stateFor('com.example.b-same', 'b', 5),
      stateFor('com.example.a-same', 'a', 5),
      stateFor('com.example.off', 'off', 100, 'inactive'),
    ]);
    const run = composeMiddleware<string[], string[]>(states, { final: (value) => [...value, 'final'] });
    await expect(run([])).resolves.toEqual([
      'in:high',
      'in:a',
      'in:b',
      'in:low',
      'final',
      'out:low',
      'out:b',
      'out:a',
      'out:high',
    ]);
  });

  test('lets middleware short-circuit, and passes the value through without a final handler', async () => {
    const blocker = defineMiddleware<string, string>({ handle: (value) => `blocked ${value}` });
    const metadata = metadataFor('com.example.blocker');
    const state = { metadata, status: 'active', config: { priority: 0 }, instance: await blocker(metadata) };
    await expect(composeMiddleware<string, string>([state], { final: () => 'reached' })('x')).resolves.toBe(
      'blocked x',
    );
    await expect(composeMiddleware<string, string>([])('unchanged')).resolves.toBe('unchanged');
  });

  test('rejects a middleware that calls next twice with INVALID_ARGUMENT', async () => {
    const twice = defineMiddleware<number, number>({
      handle: async (_value, next) => (await next()) + (await next()),
    });
    const metadata = metadataFor('com.example.twice');
    const run = composeMiddleware<number, number>([
      { metadata, status: 'active', config: { priority: 0 }, instance: await twice(metadata) },
    ]);
    const error = await run(1).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
