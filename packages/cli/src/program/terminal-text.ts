import { isTerminalControlCharacter } from '@agentplug/models';

/**
 * Text from a marketplace or a plugin made safe to print on a terminal: every character a terminal
 * would act on (models' rule), and tab and newline too since each value is printed on one line,
 * is written as a visible `\u001b`-style escape.
 */
export function escapeTerminalText(text: string): string {
  let escaped = '';
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x09 || code === 0x0a || isTerminalControlCharacter(code)) {
      escaped += `${text.slice(start, index)}\\u${code.toString(16).padStart(4, '0')}`;
      start = index + 1;
    }
  }
  return start === 0 ? text : escaped + text.slice(start);
}

/**
 * JSON text with the characters `JSON.stringify` leaves raw but a terminal acts on (C1 controls,
 * bidirectional overrides) written as `\u` escapes; the text still parses to the same value.
 */
export function escapeJsonForTerminal(json: string): string {
  let escaped = '';
  let start = 0;
  for (let index = 0; index < json.length; index += 1) {
    const code = json.charCodeAt(index);
    if (code >= 0x7f && isTerminalControlCharacter(code)) {
      escaped += `${json.slice(start, index)}\\u${code.toString(16).padStart(4, '0')}`;
      start = index + 1;
    }
  }
  return start === 0 ? json : escaped + json.slice(start);
}
