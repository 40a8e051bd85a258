import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import advancedCalculator from '../__fixtures__/seed-advanced-calculator.json';
import calculator from '../__fixtures__/seed-calculator.json';
import hello from '../__fixtures__/seed-hello.json';
import { createConfigJsonSchema, createPluginJsonSchema } from './plugin-json-schema';

const ajv = new Ajv2020({ strict: false });
const validateManifest = ajv.compile(createPluginJsonSchema());

describe('plugin.schema.json', () => {
  it('is valid draft 2020-12 JSON Schema with an $id', () => {
    const schema = createPluginJsonSchema();
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema.$id).toMatch(/plugin\.schema\.json$/);
  });

  it.each([
    ['hello', hello],
    ['calculator', calculator],
    ['advanced calculator', advancedCalculator],
  ])('accepts the seed %s manifest', (_name, manifest) => {
    expect(validateManifest(manifest)).toBe(true);
  });

  it.each([
    ['a missing entry_point', { ...hello, entry_point: undefined }],
    ['a bad plugin_id', { ...hello, plugin_id: 'Hello' }],
    ['a bad version', { ...hello, version: '1.0' }],
    ['an unknown plugin_type', { ...hello, plugin_type: 'widget' }],
    ['a capability with no name', { ...hello, capabilities: [{ description: 'x' }] }],
    ['a non-boolean optional', { ...hello, dependencies: [{ plugin_id: 'a.b', optional: 'no' }] }],
  ])('rejects a manifest with %s', (_name, manifest) => {
    expect(validateManifest(JSON.parse(JSON.stringify(manifest)))).toBe(false);
  });

  it('describes config.json too', () => {
    const validateConfig = ajv.compile(createConfigJsonSchema());
    expect(validateConfig({ plugin_id: 'com.example.calculator', priority: 100 })).toBe(true);
    expect(validateConfig({ plugin_id: 'com.example.calculator', priority: 'high' })).toBe(false);
  });
});
