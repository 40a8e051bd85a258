import { describe, expect, it } from 'vitest';
import { formatReasons } from './format-reasons';

describe('formatReasons', () => {
  it('puts the first reason on the first line, and every reason below when there are several', () => {
    expect(formatReasons('x is invalid', [])).toBe('x is invalid');
    expect(formatReasons('x is invalid', ['$.a: must be integer'])).toBe(
      'x is invalid: $.a: must be integer',
    );
    expect(formatReasons('x is invalid', ['$.a: one', '$.b: two'])).toBe(
      'x is invalid: $.a: one (and 1 more)\n  - $.a: one\n  - $.b: two',
    );
  });
});
