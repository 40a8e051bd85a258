import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAME_PATTERN, PLUGIN_ID_PATTERN } from '../schemas/rules';
import { createToolName, MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN } from './tool-name';

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
const pluginId = fc
  .array(label, { minLength: 2, maxLength: 5 })
  .map((labels) => labels.join('.'))
  .filter((id) => PLUGIN_ID_PATTERN.test(id));
const capabilityName = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,40}$/);

describe('createToolName', () => {
  it('joins the plugin id (dots as _) and the capability name with __', () => {
    expect(createToolName('com.example.calculator', 'add')).toBe('com_example_calculator__add');
    expect(createToolName('io.acme-tools.search', 'find_all')).toBe('io_acme-tools_search__find_all');
    expect(createToolName('com.example.jq', '$select')).toBe('com_example_jq__-select');
  });

  it('keeps pairs apart that a naive joining would merge', () => {
    expect(createToolName('com.example.a', 'b__c')).not.toBe(createToolName('com.example.a__b', 'c'));
    expect(createToolName('com.example.x', 'a_b')).not.toBe(createToolName('com.example.x_a', 'b'));
  });

  it('shortens long names to exactly 64 characters with a hash of the exact pair', () => {
    const id = 'com.example.a-plugin-with-a-really-quite-long-identifier';
    const first = createToolName(id, 'summarizeEverything');
    const second = createToolName(id, 'summarizeEverythingElse');
    expect(first).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(first).toMatch(TOOL_NAME_PATTERN);
    expect(first.startsWith('com_example_a-plugin-with-a-really-quite-long')).toBe(true);
    expect(first).not.toBe(second);
    expect(createToolName(id, 'summarizeEverything')).toBe(first);
  });

  it('hashes ids and names outside the manifest rules instead of mangling them together', () => {
    const name = createToolName('Not A Valid.Id', 'bad name');
    expect(name).toMatch(TOOL_NAME_PATTERN);
    expect(name).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(createToolName('Not A Valid.Id', 'bad-name')).not.toBe(name);
  });

  it('always yields a valid tool name, and different pairs never share one', () => {
    fc.assert(
      fc.property(
        pluginId,
        capabilityName,
        pluginId,
        capabilityName,
        (firstId, firstName, secondId, secondName) => {
          fc.pre(CAPABILITY_NAME_PATTERN.test(firstName) && CAPABILITY_NAME_PATTERN.test(secondName));
          const first = createToolName(firstId, firstName);
          expect(first).toMatch(TOOL_NAME_PATTERN);
          const samePair = firstId === secondId && firstName === secondName;
          expect(first === createToolName(secondId, secondName)).toBe(samePair);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
