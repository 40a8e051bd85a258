import { describe, expect, it } from 'vitest';
import { escapeHtml, html, revealControlCharacters, SafeHtml } from './html';

describe('html', () => {
  it('escapes every interpolated string, including attribute quotes and backticks', () => {
    const hostile = `"><script>alert('x')</script><img src=x onerror=\`y\`>&`;
    const output = html`<a title="${hostile}">${hostile}</a>`.text;
    expect(output).not.toContain('<script>');
    expect(output).not.toContain('<img');
    expect(output).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=&#96;y&#96;&gt;&amp;">' +
        '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=&#96;y&#96;&gt;&amp;</a>',
    );
  });

  it('inserts SafeHtml as it is, joins arrays and drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}${0}</ul>`.text).toBe(
      '<ul><li>a&lt;b</li><li>c</li>0</ul>',
    );
    expect(html`${new SafeHtml('<b>ours</b>')}`.text).toBe('<b>ours</b>');
  });

  it('shows terminal escapes and bidirectional overrides as visible symbols', () => {
    expect(revealControlCharacters('red \u001b[31mtext\u0007 \u202Eevil\u009B')).toBe(
      'red \u241B[31mtext\u2407 \uFFFDevil\uFFFD',
    );
    expect(revealControlCharacters('tab\tline\n')).toBe('tab\tline\n');
    expect(escapeHtml('\u001b]0;title\u0007<')).toBe('\u241B]0;title\u2407&lt;');
  });
});
