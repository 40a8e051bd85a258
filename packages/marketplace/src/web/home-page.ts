import { PluginType } from '@agentplug/models';
import { html } from './html';
import { type PageContext, renderPage } from './page-layout';
import { renderResult } from './render-results';
import {
  CATALOG_SORTS,
  type CatalogResultsPage,
  type CatalogSearch,
  type CatalogSort,
  formatCatalogSearch,
} from './search-catalog';

const SORT_LABELS: Readonly<Record<CatalogSort, string>> = {
  relevance: 'Relevance',
  downloads: 'Downloads',
  rating: 'Rating',
  score: 'Security score',
  updated: 'Recently updated',
};

function isSearching(search: CatalogSearch): boolean {
  return search.query !== '' || search.pluginType !== undefined || search.tags.length > 0;
}

/** The home page: the search form and one page of results (all plugins when nothing is asked). */
export function renderHomePage(
  context: PageContext,
  search: CatalogSearch,
  page: CatalogResultsPage,
): string {
  const { root } = context;
  const heading = isSearching(search)
    ? `${page.total} ${page.total === 1 ? 'plugin' : 'plugins'} found`
    : `All ${page.total} ${page.total === 1 ? 'plugin' : 'plugins'}`;
  const pager =
    page.pages > 1
      ? html`<nav class="pager" aria-label="Result pages">
${page.page > 1 ? html`<a href="${root}${formatCatalogSearch(search, { page: page.page - 1 })}" rel="prev">Previous page</a>` : ''}
<span>Page ${page.page} of ${page.pages}</span>
${page.page < page.pages ? html`<a href="${root}${formatCatalogSearch(search, { page: page.page + 1 })}" rel="next">Next page</a>` : ''}
</nav>`
      : '';
  const body = html`<h1>Find a plugin</h1>
<form class="search" role="search" method="get" action="${root}" aria-label="Plugins">
<div class="field query">
<label for="search-query">Search</label>
<input id="search-query" name="q" type="search" value="${search.query}" maxlength="200" autocomplete="off" aria-describedby="search-hint">
<p id="search-hint" class="hint">Words in the name, id, tags, description or publisher.</p>
</div>
<div class="field">
<label for="search-type">Plugin type</label>
<select id="search-type" name="type">
<option value="">Any type</option>
${Object.values(PluginType).map((type) => html`<option value="${type}"${search.pluginType === type ? html` selected` : ''}>${type}</option>`)}
</select>
</div>
<div class="field">
<label for="search-tags">Tags</label>
<input id="search-tags" name="tags" type="text" value="${search.tags.join(', ')}" maxlength="300" aria-describedby="tags-hint">
<p id="tags-hint" class="hint">Comma-separated; every tag must match.</p>
</div>
<div class="field">
<label for="search-sort">Sort by</label>
<select id="search-sort" name="sort">
${CATALOG_SORTS.map((sort) => html`<option value="${sort}"${search.sort === sort ? html` selected` : ''}>${SORT_LABELS[sort]}</option>`)}
</select>
</div>
<div class="field"><button type="submit">Search</button></div>
</form>
<section aria-labelledby="results-heading">
<h2 id="results-heading">${heading}${page.pages > 1 ? `, page ${page.page} of ${page.pages}` : ''}</h2>
<ul class="results" id="results">
${page.results.map((result) => renderResult(root, result))}
</ul>
${page.total === 0 ? html`<p>No plugin matches. Try fewer words or tags, or any type.</p>` : ''}
${pager}
</section>`;
  return renderPage(context, {
    title: isSearching(search) ? `Search: ${search.query || 'filtered'}` : 'Plugins',
    description: 'Search the plugins of this agentplug marketplace.',
    body,
  });
}
