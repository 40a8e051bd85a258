import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown';

const render = (source: string): string => renderMarkdown(source).text;

describe('renderMarkdown', () => {
  it('renders headings below the page, paragraphs, lists, quotes, rules and code', () => {
    const source = [
      '# Title',
      '',
      'Some **bold** and *em* text',
      'on two lines with `a < b`.',
      '',
      '- one',
      '- two',
      '',
      '1. first',
      '2. second',
      '',
      '> quoted',
      '',
      '---',
      '',
      '```js',
      'const x = "<b>";',
      '```',
    ].join('\n');
    expect(render(source)).toBe(
      [
        '<h3>Title</h3>',
        '<p>Some <strong>bold</strong> and <em>em</em> text on two lines with <code>a &lt; b</code>.</p>',
        '<ul><li>one</li><li>two</li></ul>',
        '<ol><li>first</li><li>second</li></ol>',
        '<blockquote><p>quoted</p></blockquote>',
        '<hr>',
        '<pre><code>const x = &quot;&lt;b&gt;&quot;;</code></pre>',
      ].join('\n'),
    );
  });

  it('shows raw HTML and scripts as text', () => {
    const output = render(
      '<script>window.__pwned = 1</script>\n\n<img src=x onerror="alert(1)">\n\n<iframe src="https://evil.example"></iframe>',
    );
    expect(output).not.toMatch(/<(script|img|iframe)/i);
    expect(output).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(output).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('links only to http(s) and mailto, never loads images, and keeps quotes out of attributes', () => {
    const output = render(
      [
        '[site](https://example.com/a?b=1&c=2)',
        '[bad](javascript:alert%281%29)',
        '[data](data:text/html,hi)',
        '[relative](./x.html)',
        '![logo](https://evil.example/pixel.png)',
        '[quote](https://example.com/"onmouseover="alert)',
        '<https://example.org/auto>',
      ].join('\n\n'),
    );
    expect(output).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">site</a>',
    );
    expect(output).toContain('<p>bad</p>');
    expect(output).toContain('<p>data</p>');
    expect(output).toContain('<p>relative</p>');
    expect(output).toContain('[image: logo]');
    expect(output).not.toContain('pixel.png');
    expect(output).not.toMatch(/href="[^"]*"[^>]*onmouseover/);
    expect(output).toContain('<a href="https://example.org/auto" rel="nofollow noopener noreferrer">');
    expect(output).toContain(
      '<a href="https://example.com/%22onmouseover=%22alert" rel="nofollow noopener noreferrer">quote</a>',
    );
    expect(output.match(/<a /g)).toHaveLength(3);
  });

  it('shows terminal escapes as visible symbols and keeps an unclosed backtick literal', () => {
    expect(render('\u001b[2J\u001b]0;owned\u0007 cleared `oops')).toBe(
      '<p>\u241B[2J\u241B]0;owned\u2407 cleared &#96;oops</p>',
    );
  });

  it('stops at a bounded number of blocks', () => {
    const output = render('para\n\n'.repeat(5000));
    expect(output.match(/<p>/g)).toHaveLength(2000);
  });
});
