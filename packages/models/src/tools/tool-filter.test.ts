import { describe, expect, it } from 'vitest';
import { createToolFilter } from './tool-filter';

describe('createToolFilter', () => {
  it('serves everything without options', () => {
    expect(createToolFilter({})('com.example.files', 'delete')).toBe(true);
  });

  it('includes and excludes plugins by glob-ish id patterns, exclusion winning', () => {
    const isServed = createToolFilter({ includePlugins: ['com.example.*'], excludePlugins: ['*.files'] });
    expect(isServed('com.example.calculator', 'add')).toBe(true);
    expect(isServed('com.example.files', 'read')).toBe(false);
    expect(isServed('org.other.calculator', 'add')).toBe(false);
  });

  it('matches bare capability patterns in every plugin and qualified ones in one plugin', () => {
    const isServed = createToolFilter({ excludeCapabilities: ['delete*', 'com.example.files/write?'] });
    expect(isServed('com.example.files', 'deleteAll')).toBe(false);
    expect(isServed('com.example.notes', 'delete')).toBe(false);
    expect(isServed('com.example.files', 'write1')).toBe(false);
    expect(isServed('com.example.files', 'writeAll')).toBe(true);
    expect(isServed('com.example.notes', 'write1')).toBe(true);
  });

  it('treats regular-expression characters in patterns literally', () => {
    const isServed = createToolFilter({ includePlugins: ['com.example.calc'] });
    expect(isServed('com.example.calc', 'add')).toBe(true);
    expect(isServed('comXexampleXcalc', 'add')).toBe(false);
  });

  it('includes only the listed capabilities when an include list is given', () => {
    const isServed = createToolFilter({ includeCapabilities: ['add', 'com.example.calculator/multiply'] });
    expect(isServed('com.example.calculator', 'add')).toBe(true);
    expect(isServed('com.example.calculator', 'multiply')).toBe(true);
    expect(isServed('com.example.other', 'multiply')).toBe(false);
    expect(isServed('com.example.calculator', 'divide')).toBe(false);
  });
});
