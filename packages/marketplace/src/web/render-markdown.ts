import { escapeHtml, SafeHtml } from './html';

/** Headings of a README start below the page's own: `#` becomes this level. */
const TOP_HEADING_LEVEL = 3;
/** Blocks rendered at most: a README is a page section, not a book. */
const MAX_BLOCKS = 2000;

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

const UNESCAPE: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#96;': '`',
};

function unescapeOurs(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (entity) => UNESCAPE[entity] ?? entity);
}

/** The URL a README link may point to: absolute http(s) or mailto only (no script, no data, no relative). */
function safeHref(escapedUrl: string): string | undefined {
  try {
    const url = new URL(unescapeOurs(escapedUrl.trim()));
    return SAFE_SCHEMES.has(url.protocol) ? escapeHtml(url.href) : undefined;
  } catch {
    return undefined;
  }
}

// Runs on text that is already escaped, so every tag it adds is one of ours and every piece of the
// README inside it stays text.
function renderInlineEscaped(escaped: string): string {
  return (
    escaped
      // Images are never loaded (no external resources): the alternative text stands in.
      .replace(/!\[([^\]]*)\]\(([^()\s]*)\)/g, (_match, alt: string) => `[image: ${alt}]`)
      .replace(/\[([^\]]+)\]\(([^()\s]+)\)/g, (_match, text: string, url: string) => {
        const href = safeHref(url);
        return href === undefined ? text : `<a href="${href}" rel="nofollow noopener noreferrer">${text}</a>`;
      })
      .replace(/&lt;((?:https?:\/\/|mailto:)[^\s&]+)&gt;/g, (match, url: string) => {
        const href = safeHref(url);
        return href === undefined ? match : `<a href="${href}" rel="nofollow noopener noreferrer">${url}</a>`;
      })
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/__([^_]+)__/g, '<strong>$1</strong>')
      .replace(/(^|[^\w*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
      .replace(/(^|[^\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>')
  );
}

/** Inline Markdown: code spans, links, emphasis; everything else is escaped text. */
function renderInline(text: string): string {
  const parts = text.split('`');
  // An odd number of backticks leaves the last one literal.
  const unclosed = parts.length % 2 === 0;
  let output = '';
  for (const [index, part] of parts.entries()) {
    const isLast = index === parts.length - 1;
    if (index % 2 === 1 && !(unclosed && isLast)) output += `<code>${escapeHtml(part)}</code>`;
    else output += (unclosed && isLast && index > 0 ? '&#96;' : '') + renderInlineEscaped(escapeHtml(part));
  }
  return output;
}

interface Block {
  kind: 'heading' | 'paragraph' | 'code' | 'list' | 'ordered' | 'quote' | 'rule';
  level?: number;
  lines: string[];
}

const GROUPS: readonly (readonly ['list' | 'ordered' | 'quote', RegExp])[] = [
  ['list', /^\s{0,3}[-*+]\s+(.*)$/],
  ['ordered', /^\s{0,3}\d{1,9}[.)]\s+(.*)$/],
  ['quote', /^\s{0,3}>\s?(.*)$/],
];

/** A line that ends a paragraph because it starts another block. */
const BLOCK_START = /^\s{0,3}(#{1,6}\s|`{3}|~{3}|>|[-*+]\s|\d{1,9}[.)]\s)/;

function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let index = 0;
  const push = (block: Block): void => {
    if (blocks.length < MAX_BLOCKS) blocks.push(block);
  };
  while (index < lines.length && blocks.length < MAX_BLOCKS) {
    const line = lines[index] ?? '';
    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      const marker = fence[1] ?? '```';
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] ?? '').trim().startsWith(marker)) {
        code.push(lines[index] ?? '');
        index += 1;
      }
      index += 1;
      push({ kind: 'code', lines: code });
      continue;
    }
    if (line.trim() === '') {
      index += 1;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading !== null) {
      push({ kind: 'heading', level: (heading[1] ?? '#').length, lines: [heading[2] ?? ''] });
      index += 1;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      push({ kind: 'rule', lines: [] });
      index += 1;
      continue;
    }
    const grouped = GROUPS.find(([, pattern]) => pattern.test(line));
    if (grouped !== undefined) {
      const [kind, pattern] = grouped;
      const items: string[] = [];
      while (index < lines.length) {
        const current = lines[index] ?? '';
        const item = pattern.exec(current);
        if (item !== null) items.push(item[1] ?? '');
        else if (kind !== 'quote' && items.length > 0 && /^\s+\S/.test(current))
          items[items.length - 1] += ` ${current.trim()}`;
        else break;
        index += 1;
      }
      push({ kind, lines: items });
      continue;
    }
    const paragraph: string[] = [line.trim()];
    index += 1;
    while (index < lines.length) {
      const current = lines[index] ?? '';
      if (current.trim() === '' || BLOCK_START.test(current)) break;
      paragraph.push(current.trim());
      index += 1;
    }
    push({ kind: 'paragraph', lines: paragraph });
  }
  return blocks;
}

/**
 * Renders untrusted Markdown (a plugin's README) as HTML from an allow-list of elements: headings,
 * paragraphs, lists, quotes, code, emphasis and links to http(s) or mailto with `rel="nofollow
 * noopener noreferrer"`. Raw HTML in the source is shown as text, images as their alternative text
 * (nothing is loaded), and terminal control characters as visible symbols.
 * @example
 * renderMarkdown('# Title\n\n<script>alert(1)</script>') // <h3>Title</h3><p>&lt;script&gt;…</p>
 */
export function renderMarkdown(source: string): SafeHtml {
  const output: string[] = [];
  for (const block of parseBlocks(source)) {
    switch (block.kind) {
      case 'heading': {
        const level = Math.min(6, TOP_HEADING_LEVEL - 1 + (block.level ?? 1));
        output.push(`<h${level}>${renderInline(block.lines[0] ?? '')}</h${level}>`);
        break;
      }
      case 'code':
        output.push(`<pre><code>${escapeHtml(block.lines.join('\n'))}</code></pre>`);
        break;
      case 'rule':
        output.push('<hr>');
        break;
      case 'list':
      case 'ordered': {
        const tag = block.kind === 'list' ? 'ul' : 'ol';
        output.push(
          `<${tag}>${block.lines.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`,
        );
        break;
      }
      case 'quote':
        output.push(`<blockquote><p>${renderInline(block.lines.join(' '))}</p></blockquote>`);
        break;
      default:
        if (block.lines.length > 0) output.push(`<p>${renderInline(block.lines.join(' '))}</p>`);
    }
  }
  return new SafeHtml(output.join('\n'));
}
