import { describe, expect, it } from 'vitest';
import { safeParseManifest } from '../index';

const manifest = {
  plugin_id: 'com.example.calculator',
  name: 'Calculator',
  version: '1.0.0',
  description: 'Adds numbers.\n\tTabs and newlines are fine.',
  author: 'Example',
  plugin_type: 'tool',
  entry_point: 'main',
};

describe('terminal control characters in plugin.json', () => {
  it('are refused with CONTROL_CHARACTER wherever they appear, tab and newline allowed', () => {
    expect(safeParseManifest(manifest).success).toBe(true);
    const hostile: [Record<string, unknown>, string][] = [
      [{ ...manifest, description: 'fine\u001b[2J\u001b]0;owned\u0007' }, '$.description'],
      [{ ...manifest, name: 'Calc\rulator' }, '$.name'],
      [{ ...manifest, author: 'Eve\u009b31m' }, '$.author'],
      [{ ...manifest, author: 'Eve\u007f' }, '$.author'],
      [{ ...manifest, tags: ['math', 'evil\u202etxt.exe'] }, '$.tags[1]'],
      [{ ...manifest, name: 'Calc\u2066ulator' }, '$.name'],
      [
        { ...manifest, capabilities: [{ name: 'add', description: 'a\u0000b' }] },
        '$.capabilities[0].description',
      ],
      [{ ...manifest, homepage: 'https://example.com/\u0008' }, '$.homepage'],
      [{ ...manifest, 'x-\u001bkey': 1 }, '$["x-\\u001bkey"]'],
    ];
    for (const [document, path] of hostile) {
      const result = safeParseManifest(document);
      expect(result.success).toBe(false);
      expect(
        result.success ? [] : result.issues.filter((issue) => issue.code === 'CONTROL_CHARACTER'),
      ).toEqual([expect.objectContaining({ path })]);
    }
  });
});
