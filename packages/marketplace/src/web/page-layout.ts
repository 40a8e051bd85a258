import { html, type SafeHtml } from './html';

/**
 * The Content-Security-Policy of every catalog page: only the catalog's own stylesheet, script and
 * data; no inline script or style, no other origin, no framing, no plugins, no base rewriting.
 */
export const CATALOG_CONTENT_SECURITY_POLICY: string = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** How a page is rendered: for the server, or into a static build (the policy then rides in a meta tag). */
export interface PageContext {
  /** The relative path from the page to the catalog's root: `./` for the home page, `../../` for a plugin page. */
  root: string;
  /** A static build: no server sends headers, and the search runs in the page. */
  staticBuild: boolean;
}

/** What one page is made of. */
export interface PageContent {
  title: string;
  /** A one-line summary for the description meta tag. */
  description: string;
  body: SafeHtml;
}

/** Renders a whole catalog page: head, skip link, header and navigation, main content, footer. */
export function renderPage(context: PageContext, content: PageContent): string {
  // A meta tag cannot carry frame-ancestors; a static host that can should send the header itself.
  const policy = CATALOG_CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", '');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${context.staticBuild ? html`<meta http-equiv="Content-Security-Policy" content="${policy}">` : ''}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="description" content="${content.description}">
<title>${content.title} · agentplug marketplace</title>
<link rel="stylesheet" href="${context.root}assets/catalog.css">
<script src="${context.root}assets/catalog.js" defer></script>
</head>
<body data-root="${context.root}" data-static-search="${context.staticBuild ? 'true' : 'false'}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="bar">
<a class="site-name" href="${context.root}">agentplug marketplace</a>
<nav class="site-nav" aria-label="Site">
<ul>
<li><a href="${context.root}">Plugins</a></li>
<li><a href="${context.root}trust/">Trust this marketplace</a></li>
</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
${content.body}
</main>
<footer class="site-footer">
<div class="bar">
<p>Plugin names, descriptions and READMEs are written by their publishers and shown as text. Scores come from static analysis: read the findings.</p>
</div>
</footer>
<div id="status" class="visually-hidden" role="status" aria-live="polite"></div>
</body>
</html>
`.text;
}
