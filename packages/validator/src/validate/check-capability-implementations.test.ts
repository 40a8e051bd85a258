import { describe, expect, it } from 'vitest';
import { checkCapabilityImplementations } from './check-capability-implementations';

function check(source: string, declared: readonly string[] = ['greet', 'add']) {
  return checkCapabilityImplementations({ file: 'main.js', source, declared });
}

describe('checkCapabilityImplementations', () => {
  it.each([
    ['a Plugin class', 'export class Plugin { greet() {} }'],
    ['a default class', 'export default class { greet() {} }'],
    ['a class field', 'export class Plugin { greet = () => 1; }'],
    ['a constructor assignment', 'export class Plugin { constructor() { this.greet = () => 1; } }'],
    ['a createPlugin factory', 'export function createPlugin() { return { greet() {} }; }'],
    ['an arrow factory', 'export const createPlugin = () => ({ greet: () => 1 });'],
    ['a renamed export', 'class Impl { greet() {} }\nexport { Impl as Plugin };'],
    [
      'an sdk definition',
      "import { defineTool as tool, z } from '@agentplug/sdk';\nexport const createPlugin = tool({ capabilities: { greet: { params: z.object({}), handler: () => 1 } } });",
    ],
  ])('reports a declared capability that %s does not implement', (_name, source) => {
    const result = check(source);
    expect(result.decided).toBe(true);
    expect(result.issues).toEqual([
      {
        code: 'CAPABILITY_NOT_IMPLEMENTED',
        severity: 'error',
        file: 'main.js',
        message:
          'capability "add" is declared in plugin.json but main.js does not implement it (it implements: greet)',
      },
    ]);
  });

  it('accepts a plugin implementing every declared capability', () => {
    expect(check('export class Plugin { greet() {} add() {} }')).toEqual({ decided: true, issues: [] });
  });

  it('counts only what every return of a factory implements', () => {
    const result = check(
      'export function createPlugin(m, c) { if (c.x) return { greet() {}, add() {} }; return { greet() {} }; }',
    );
    expect(result.issues.map((issue) => issue.message)).toEqual([expect.stringContaining('"add"')]);
  });

  it.each([
    ['a class with a superclass', 'class Base { add() {} }\nexport class Plugin extends Base { greet() {} }'],
    [
      'a spread',
      'const extra = { add() {} };\nexport function createPlugin() { return { greet() {}, ...extra }; }',
    ],
    [
      'a computed key',
      "const name = 'add';\nexport const createPlugin = () => ({ greet() {}, [name]: () => 1 });",
    ],
    [
      'a factory returning an instance',
      'class P { greet() {} }\nexport function createPlugin() { return new P(); }',
    ],
    [
      'a define call not from the sdk',
      "import { defineTool } from './mine.js';\nexport const createPlugin = defineTool({ capabilities: { greet: {} } });",
    ],
    ['code that does not parse', 'export class Plugin { greet( }'],
  ])('leaves %s undecided, for the check that loads the plugin', (_name, source) => {
    expect(check(source)).toEqual({ decided: false, issues: [] });
  });
});
