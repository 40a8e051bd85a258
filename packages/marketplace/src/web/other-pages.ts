import type { CatalogSite } from './catalog-reader';
import { html } from './html';
import { type PageContext, renderPage } from './page-layout';
import { renderResult } from './render-results';
import type { CatalogResult } from './search-catalog';

/** A publisher's page: the plugins it publishes, most downloaded first. */
export function renderPublisherPage(context: PageContext, author: string, results: CatalogResult[]): string {
  const downloads = results.reduce((total, result) => total + result.downloads, 0);
  const body = html`<h1>${author}</h1>
<p>Publishes ${results.length} ${results.length === 1 ? 'plugin' : 'plugins'} here, downloaded ${downloads} times in all. The name is what the plugins' manifests give as their author.</p>
<section aria-labelledby="publisher-plugins">
<h2 id="publisher-plugins">Plugins</h2>
<ul class="results">${results.map((result) => renderResult(context.root, result))}</ul>
</section>`;
  return renderPage(context, { title: author, description: `Plugins published by ${author}.`, body });
}

/** The trust page: the signing key, its id, and every way to pass it to a client. */
export function renderTrustPage(context: PageContext, site: CatalogSite): string {
  const body = html`<h1>Trust this marketplace</h1>
<p>Clients install only what this marketplace's key signed: the index lists every version with its archive's sha256 and size, and a client checks the signature, the expiry and the version before it downloads anything. Give your client this public key.</p>
<h2 id="public-key">Public key</h2>
<pre data-copy="public key"><code>${site.publicKey}</code></pre>
<h2 id="key-id">Key id</h2>
<p>The sha256 of the key: <code>${site.keyId}</code></p>
<p>This page comes from the marketplace itself, so someone who controls it could show another key. Compare the key id with the one the operator gives you another way (their documentation, a signed message, a colleague) before you trust it.</p>
<h2 id="pass-it">How to pass it</h2>
<h3>Command line</h3>
<pre data-copy="command"><code>npx @agentplug/cli search --marketplace ${site.marketplaceUrl} --trusted-key ${site.publicKey}</code></pre>
<p>Or set <code>AGENTPLUG_MARKETPLACE</code> and <code>AGENTPLUG_TRUSTED_KEYS</code> (comma-separated keys), or put <code>"marketplace"</code> and <code>"trustedKeys"</code> in the CLI's config file.</p>
<h3>Host code</h3>
<pre data-copy="host code"><code>${[
    "import { PluginRegistry } from '@agentplug/registry-client';",
    '',
    'const registry = new PluginRegistry({',
    "  pluginDirectory: './plugins',",
    `  marketplaceUrl: ${JSON.stringify(site.marketplaceUrl)},`,
    `  trustedKeys: [{ keyId: ${JSON.stringify(site.keyId)}, publicKey: ${JSON.stringify(site.publicKey)} }],`,
    '});',
  ].join('\n')}</code></pre>
<p>Passing the key id with the key makes the client refuse a key that does not match it.</p>`;
  return renderPage(context, {
    title: 'Trust this marketplace',
    description: "This marketplace's signing key and how to trust it.",
    body,
  });
}

/** The page of a path the catalog does not know. */
export function renderNotFoundPage(context: PageContext, what: string): string {
  const body = html`<h1>Not found</h1>
<p>${what}</p>
<p><a href="${context.root}">Search the plugins</a></p>`;
  return renderPage(context, { title: 'Not found', description: what, body });
}
