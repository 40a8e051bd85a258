import { isTerminalControlCharacter } from '@agentplug/models';

/** A piece of HTML the catalog built itself: the only thing the `html` template inserts unescaped. */
export class SafeHtml {
  /** The markup. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Shows terminal controls, bidirectional overrides and other invisible controls as visible
 * symbols instead of passing them on: ESC becomes ␛, other C0 controls their Control Pictures
 * symbol, the rest U+FFFD. Text from a plugin then reads as it is stored.
 */
export function revealControlCharacters(text: string): string {
  let result = '';
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (!isTerminalControlCharacter(code) && code !== 0x0d) continue;
    result += text.slice(start, index);
    result += code <= 0x1f ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\uFFFD';
    start = index + 1;
  }
  return start === 0 ? text : result + text.slice(start);
}

/** Escapes text for an HTML text node or a quoted attribute, after revealing control characters. */
export function escapeHtml(text: string): string {
  return revealControlCharacters(text).replace(/[&<>"'`]/g, (character) => ENTITIES[character] ?? '');
}

type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('');
  return escapeHtml(String(value));
}

/**
 * The catalog's one way to build markup: every interpolated value is escaped unless it is
 * SafeHtml built by this template; arrays are joined; null, undefined and false render nothing.
 * @example
 * html`<p class="description">${plugin.description}</p>`
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    text += render(values[index]) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(text);
}
