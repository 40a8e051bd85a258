import { describe, expect, it } from 'vitest';
import { capability } from './__fixtures__/memory-tool-source';
import { describeTools } from './describe-tools';
import { createToolFilter } from './tool-filter';

describe('describeTools', () => {
  const entries = [
    {
      pluginId: 'com.example.text',
      capability: capability('slugify', { text: { type: 'string' } }, 'Slugs'),
    },
    { pluginId: 'com.example.calculator', capability: capability('add', { a: { type: 'number' } }) },
    { pluginId: 'com.example.files', capability: capability('deleteAll') },
  ];

  it('names, describes and sorts one tool per capability', () => {
    const tools = describeTools(entries, {
      describePlugin: (pluginId) =>
        pluginId === 'com.example.calculator' ? { name: 'Calculator', description: 'Does sums' } : undefined,
    });
    expect(tools.map((tool) => tool.name)).toEqual([
      'com_example_calculator__add',
      'com_example_files__deleteAll',
      'com_example_text__slugify',
    ]);
    expect(tools[0]).toEqual({
      name: 'com_example_calculator__add',
      title: 'Calculator: add',
      description: 'Does sums',
      inputSchema: { type: 'object', properties: { a: { type: 'number' } } },
      pluginId: 'com.example.calculator',
      capability: 'add',
      capabilityVersion: '1.0.0',
    });
    expect(tools[1]?.description).toBe('deleteAll of com.example.files');
    expect(tools[2]).toMatchObject({ title: 'com.example.text: slugify', description: 'Slugs' });
  });

  it('leaves out what the filter does not offer', () => {
    const tools = describeTools(entries, {
      isOffered: createToolFilter({ excludeCapabilities: ['delete*'] }),
    });
    expect(tools.map((tool) => tool.capability)).toEqual(['add', 'slugify']);
  });

  it('makes a schema without a type an object schema, and leaves the manifest object untouched', () => {
    const bare = { name: 'ping', description: '', version: '1.0.0', parameters: { properties: {} } };
    const [tool] = describeTools([{ pluginId: 'com.example.ping', capability: bare }]);
    expect(tool?.inputSchema).toEqual({ type: 'object', properties: {} });
    expect(bare.parameters).toEqual({ properties: {} });
  });
});
