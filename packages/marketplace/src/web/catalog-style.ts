/**
 * The catalog's one stylesheet, served as a file (`assets/catalog.css`) so the Content-Security-Policy
 * needs no inline style. Colours are chosen for WCAG AA contrast in both schemes; the scheme follows
 * the system (`prefers-color-scheme`).
 */
export const CATALOG_STYLE: string = `
:root {
  color-scheme: light dark;
  --background: #ffffff; --surface: #f4f5f7; --text: #1b1d21; --muted: #4a4f59; --border: #c9cdd4;
  --link: #0b57c2; --focus: #b3380b; --accent: #0b57c2; --accent-text: #ffffff;
  --low-bg: #d7f2de; --low-text: #0c4a1f; --medium-bg: #fdf0c4; --medium-text: #573f00;
  --high-bg: #ffe1cc; --high-text: #7a2e00; --critical-bg: #ffd7d7; --critical-text: #7d0000;
  --code-bg: #eef0f3;
}
@media (prefers-color-scheme: dark) {
  :root {
    --background: #111318; --surface: #1b1e25; --text: #e8eaee; --muted: #b4b9c3; --border: #3c414c;
    --link: #8ab8ff; --focus: #ffb38a; --accent: #8ab8ff; --accent-text: #0b1220;
    --code-bg: #222631;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; background: var(--background); color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; line-height: 1.5;
}
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible,
[tabindex]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -10000px; top: 0; }
.skip-link:focus { left: 1rem; top: 1rem; z-index: 10; background: var(--background); padding: .5rem 1rem; }
.site-header, .site-footer { background: var(--surface); border-bottom: 1px solid var(--border); }
.site-footer { border-top: 1px solid var(--border); border-bottom: 0; margin-top: 3rem; color: var(--muted); }
.bar { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
.site-name { font-weight: 700; font-size: 1.15rem; color: var(--text); text-decoration: none; }
.site-nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.75rem; margin: .5rem 0; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.1rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
code { background: var(--code-bg); padding: .1em .3em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--code-bg); padding: .75rem; border-radius: 4px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre code { padding: 0; background: none; }
.search { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: 1rem; display: grid; gap: .75rem;
  grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); align-items: end; }
.search .field { display: flex; flex-direction: column; gap: .25rem; }
.search .query { grid-column: 1 / -1; }
label { font-weight: 600; }
input, select, button { font: inherit; color: var(--text); background: var(--background); border: 1px solid var(--muted); border-radius: 4px; padding: .45rem .6rem; min-height: 2.5rem; }
button { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; cursor: pointer; }
.hint { color: var(--muted); font-size: .9rem; margin: 0; }
.results { list-style: none; margin: 1rem 0; padding: 0; display: grid; gap: .75rem; }
.result { border: 1px solid var(--border); border-radius: 6px; padding: .75rem 1rem; }
.result h3 { margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem 1rem; color: var(--muted); font-size: .9rem; margin: .25rem 0; padding: 0; list-style: none; }
.meta li { overflow-wrap: anywhere; }
.description { white-space: pre-line; overflow-wrap: anywhere; font-size: 1.05rem; }
.summary { margin: .25rem 0; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .6rem; font-size: .85rem; font-weight: 700; white-space: nowrap; }
.risk-low { background: var(--low-bg); color: var(--low-text); }
.risk-medium { background: var(--medium-bg); color: var(--medium-text); }
.risk-high { background: var(--high-bg); color: var(--high-text); }
.risk-critical { background: var(--critical-bg); color: var(--critical-text); }
.chips { display: flex; flex-wrap: wrap; gap: .35rem; list-style: none; margin: .35rem 0 0; padding: 0; }
.chips li { border: 1px solid var(--border); border-radius: 4px; padding: 0 .4rem; font-size: .85rem; }
.pager { display: flex; gap: 1rem; align-items: center; }
.columns { display: grid; gap: 0 2rem; grid-template-columns: minmax(0, 2fr) minmax(16rem, 1fr); }
@media (max-width: 50rem) { .columns { grid-template-columns: minmax(0, 1fr); } }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--border); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--surface); }
.yanked { font-weight: 700; color: var(--critical-text); background: var(--critical-bg); padding: 0 .4rem; border-radius: 4px; }
.widened { font-weight: 700; color: var(--high-text); background: var(--high-bg); padding: 0 .4rem; border-radius: 4px; }
.readme { border-top: 1px solid var(--border); overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.copy { margin-top: .25rem; min-height: 2rem; padding: .2rem .6rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
