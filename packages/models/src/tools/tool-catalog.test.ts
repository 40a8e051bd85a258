import { describe, expect, it } from 'vitest';
import { capability, MemoryToolSource } from './__fixtures__/memory-tool-source';
import type { ToolDescriptor } from './describe-tools';
import { createToolCatalog } from './tool-catalog';

function names(entries: readonly { descriptor: ToolDescriptor }[]): string[] {
  return entries.map((entry) => entry.descriptor.name);
}

describe('createToolCatalog', () => {
  it('lists the tools at once and follows every change the source announces', () => {
    const source = new MemoryToolSource();
    source.setPlugin('com.example.hello', [capability('greet')]);
    const built: string[] = [];
    const catalog = createToolCatalog(source, (descriptor) => {
      built.push(descriptor.name);
      return { label: descriptor.name };
    });
    expect(names(catalog.list())).toEqual(['com_example_hello__greet']);
    expect(catalog.list()[0]?.tool).toEqual({ label: 'com_example_hello__greet' });

    const seen: string[][] = [];
    catalog.subscribe((entries) => seen.push(names(entries)));
    source.setPlugin('com.example.calculator', [capability('add'), capability('subtract')]);
    expect(names(catalog.list())).toEqual([
      'com_example_calculator__add',
      'com_example_calculator__subtract',
      'com_example_hello__greet',
    ]);
    source.removePlugin('com.example.hello');
    expect(seen).toEqual([
      ['com_example_calculator__add', 'com_example_calculator__subtract', 'com_example_hello__greet'],
      ['com_example_calculator__add', 'com_example_calculator__subtract'],
    ]);
    expect(built).toEqual([
      'com_example_hello__greet',
      'com_example_calculator__add',
      'com_example_calculator__subtract',
    ]);
  });

  it('keeps unchanged tools and the list itself when nothing changed, and rebuilds a reloaded capability', () => {
    const source = new MemoryToolSource();
    source.setPlugin('com.example.hello', [capability('greet')]);
    source.setPlugin('com.example.text', [capability('slugify')]);
    const catalog = createToolCatalog(source, (descriptor) => ({ descriptor }));
    const before = catalog.list();
    let notified = 0;
    catalog.subscribe(() => {
      notified += 1;
    });
    source.announce();
    expect(catalog.list()).toBe(before);
    expect(notified).toBe(0);

    source.setPlugin('com.example.hello', [capability('greet', { name: { type: 'string' } })]);
    const after = catalog.list();
    expect(after).not.toBe(before);
    expect(notified).toBe(1);
    expect(after[1]?.tool).toBe(before[1]?.tool);
    expect(after[0]?.tool).not.toBe(before[0]?.tool);
    expect(after[0]?.descriptor.inputSchema).toEqual({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
  });

  it('applies the include and exclude filters', () => {
    const source = new MemoryToolSource();
    source.setPlugin('com.example.files', [capability('read'), capability('deleteAll')]);
    source.setPlugin('org.other.tool', [capability('run')]);
    const catalog = createToolCatalog(source, () => null, {
      includePlugins: ['com.example.*'],
      excludeCapabilities: ['delete*'],
    });
    expect(names(catalog.list())).toEqual(['com_example_files__read']);
  });

  it('leaves out a capability its factory refuses, reports it, and keeps the others', () => {
    const source = new MemoryToolSource();
    source.setPlugin('com.example.mixed', [capability('good'), capability('bad')]);
    const errors: string[] = [];
    const catalog = createToolCatalog(
      source,
      (descriptor) => {
        if (descriptor.capability === 'bad') throw new Error('schema refused');
        return descriptor.name;
      },
      { onError: (error) => errors.push(error.message) },
    );
    expect(names(catalog.list())).toEqual(['com_example_mixed__good']);
    expect(errors).toEqual(['schema refused']);
  });

  it('survives a listener that throws, and stops following the source on close', () => {
    const source = new MemoryToolSource();
    const errors: string[] = [];
    const catalog = createToolCatalog(source, () => null, { onError: (error) => errors.push(error.message) });
    catalog.subscribe(() => {
      throw new Error('listener broke');
    });
    let reached = 0;
    catalog.subscribe(() => {
      reached += 1;
    });
    source.setPlugin('com.example.hello', [capability('greet')]);
    expect(errors).toEqual(['listener broke']);
    expect(reached).toBe(1);

    catalog.close();
    catalog.close();
    expect(source.listenerCount()).toBe(0);
    source.removePlugin('com.example.hello');
    expect(names(catalog.list())).toEqual(['com_example_hello__greet']);
  });
});
