import { describe, expect, test } from 'vitest';
import { escapeJsonForTerminal, escapeTerminalText } from './terminal-text';

describe('escapeTerminalText', () => {
  test('writes every character a terminal acts on as a visible escape, and leaves other text alone', () => {
    expect(escapeTerminalText('plain text, café, 計算')).toBe('plain text, café, 計算');
    expect(escapeTerminalText('a\u001b[2Jb\u0007c\u009bd\u202ee\tf\ng\rh\u007f')).toBe(
      'a\\u001b[2Jb\\u0007c\\u009bd\\u202ee\\u0009f\\u000ag\\u000dh\\u007f',
    );
  });
});

describe('escapeJsonForTerminal', () => {
  test('escapes what JSON.stringify leaves raw, and the text still parses to the same value', () => {
    const value = { text: 'x\u009b31m\u202e\u2066y\u001b' };
    const json = escapeJsonForTerminal(JSON.stringify(value));
    expect(json).not.toMatch(/[\u009b\u202e\u2066]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
