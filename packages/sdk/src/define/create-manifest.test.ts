import { checkJsonSchema, type PluginMetadataInput, parseManifest } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { z } from '../index';
import { checkManifest, createCapabilities, createManifest } from './create-manifest';
import { defineEngine } from './define-engine';
import { definePlugin } from './define-plugin';

const calculator = definePlugin({
  config: z.object({ precision: z.number().int().min(0).default(10) }),
  capabilities: {
    add: {
      description: 'Adds two numbers',
      version: '2.0.0',
      params: z.object({ a: z.number().describe('first'), b: z.number() }),
      handler: ({ a, b }) => a + b,
    },
    round: {
      params: z.object({ value: z.number(), mode: z.enum(['up', 'down']).default('up') }),
      handler: ({ value, mode }) => (mode === 'up' ? Math.ceil(value) : Math.floor(value)),
    },
  },
});

const base = {
  plugin_id: 'com.example.calculator',
  name: 'Calculator',
  version: '1.2.0',
  description: 'Adds',
  author: 'Example',
  entry_point: 'main',
};

describe('createCapabilities', () => {
  test('generates each capability JSON Schema from its zod schema (input side: defaults optional)', () => {
    const capabilities = createCapabilities(calculator);
    expect(capabilities).toEqual([
      {
        name: 'add',
        description: 'Adds two numbers',
        version: '2.0.0',
        parameters: {
          type: 'object',
          properties: { a: { type: 'number', description: 'first' }, b: { type: 'number' } },
          required: ['a', 'b'],
        },
      },
      {
        name: 'round',
        description: '',
        version: '1.0.0',
        parameters: {
          type: 'object',
          properties: {
            value: { type: 'number' },
            mode: { type: 'string', enum: ['up', 'down'], default: 'up' },
          },
          required: ['value'],
        },
      },
    ]);
    for (const capability of capabilities) expect(checkJsonSchema(capability.parameters)).toEqual([]);
  });
});

describe('createManifest', () => {
  test('produces a plugin.json that parses, with type, capabilities and config_schema from the code', () => {
    const manifest = createManifest(calculator, base);
    const parsed = parseManifest(manifest);
    expect(parsed.plugin_type).toBe('tool');
    expect(parsed.capabilities.map((capability) => capability.name)).toEqual(['add', 'round']);
    expect(parsed.config_schema).toMatchObject({
      properties: { precision: { type: 'integer', default: 10 } },
    });
    expect(checkManifest(calculator, manifest)).toEqual([]);
  });

  test('uses the helper plugin type and throws MANIFEST_INVALID for bad base fields', () => {
    const engine = defineEngine({ capabilities: {} });
    expect(createManifest(engine, base).plugin_type).toBe('engine');
    expect(() => createManifest(engine, { ...base, plugin_id: 'NotReverseDns' })).toThrowError(
      expect.objectContaining({ code: 'MANIFEST_INVALID' }),
    );
  });
});

describe('checkManifest', () => {
  test('lists every drift between plugin.json and the code', () => {
    const manifest = createManifest(calculator, base);
    const capabilities = manifest.capabilities ?? [];
    const drifted: PluginMetadataInput = {
      ...manifest,
      plugin_type: 'engine',
      capabilities: [
        {
          ...capabilities[0],
          name: 'add',
          parameters: { type: 'object', properties: { a: { type: 'string' } } },
        },
        { name: 'divide', parameters: { type: 'object' } },
      ],
      config_schema: { type: 'object' },
    };
    expect(checkManifest(calculator, drifted).map((issue) => [issue.code, issue.path])).toEqual([
      ['PLUGIN_TYPE_MISMATCH', '$.plugin_type'],
      ['CAPABILITY_MISMATCH', '$.capabilities[0].parameters'],
      ['CAPABILITY_UNDECLARED', '$.capabilities'],
      ['CAPABILITY_NOT_IMPLEMENTED', '$.capabilities[1]'],
      ['CONFIG_SCHEMA_MISMATCH', '$.config_schema'],
    ]);
  });

  test('treats omitted description and version as their manifest defaults', () => {
    const manifest = createManifest(calculator, base);
    const [add, round] = manifest.capabilities ?? [];
    const {
      description: _description,
      version: _version,
      ...roundWithoutDefaults
    } = round ?? { name: 'round' };
    expect(
      checkManifest(calculator, {
        ...manifest,
        capabilities: [add ?? { name: 'add' }, roundWithoutDefaults],
      }),
    ).toEqual([]);
  });
});
