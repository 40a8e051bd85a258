/** Where a JSON syntax error is: 1-based line and column, and the 0-based offset. */
export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
}

/** Converts a character offset in `text` to a 1-based line and column. */
export function locateOffset(text: string, offset: number): JsonErrorLocation {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Finds the offset of the first syntax error in a JSON text that `JSON.parse` rejected. V8's
 * messages name a position only for some errors, so this scans the text itself.
 */
export function findJsonErrorOffset(text: string): number {
  let index = 0;
  const fail = (): never => {
    throw index;
  };
  const skipSpace = () => {
    while (index < text.length && ' \t\n\r'.includes(text[index]!)) index++;
  };
  const literal = (word: string) => {
    for (const character of word) {
      if (text[index] !== character) fail();
      index++;
    }
  };
  const string = () => {
    index++;
    while (index < text.length && text[index] !== '"') {
      const code = text.charCodeAt(index);
      if (code < 0x20) fail();
      if (text[index] === '\\') {
        index++;
        if (text[index] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail();
          index += 4;
        } else if (!'"\\/bfnrt'.includes(text[index] ?? '')) fail();
      }
      index++;
    }
    if (text[index] !== '"') fail();
    index++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index));
    if (!match || match[0].length === 0) fail();
    index += match![0].length;
  };
  const value = (): void => {
    skipSpace();
    const character = text[index];
    if (character === '{') {
      index++;
      skipSpace();
      if (text[index] === '}') {
        index++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[index] !== '"') fail();
        string();
        skipSpace();
        if (text[index] !== ':') fail();
        index++;
        value();
        skipSpace();
        if (text[index] === ',') {
          index++;
          continue;
        }
        if (text[index] === '}') {
          index++;
          return;
        }
        fail();
      }
    } else if (character === '[') {
      index++;
      skipSpace();
      if (text[index] === ']') {
        index++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[index] === ',') {
          index++;
          continue;
        }
        if (text[index] === ']') {
          index++;
          return;
        }
        fail();
      }
    } else if (character === '"') string();
    else if (character === 't') literal('true');
    else if (character === 'f') literal('false');
    else if (character === 'n') literal('null');
    else number();
  };
  try {
    value();
    skipSpace();
    if (index < text.length) fail();
  } catch (offset) {
    if (typeof offset === 'number') return offset;
    throw offset;
  }
  return text.length;
}
