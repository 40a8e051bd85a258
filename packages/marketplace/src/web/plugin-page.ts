import type { IndexPluginEntry, IndexVersionEntry } from '@agentplug/registry-client/protocol';
import { compareVersions } from '@agentplug/version';
import type { VersionReport } from '../service/version-report';
import type { CatalogSite } from './catalog-reader';
import {
  type DeclaredPermission,
  findWidenedPermissions,
  listDeclaredPermissions,
  PERMISSION_WORDS,
} from './describe-permissions';
import { html, type SafeHtml } from './html';
import { type PageContext, renderPage } from './page-layout';
import { renderMarkdown } from './render-markdown';
import { pluginPath, renderScoreBadge, summarize } from './render-results';
import { publisherSlug } from './search-catalog';

/** What a plugin page shows. */
export interface PluginPageData {
  entry: IndexPluginEntry;
  /** The report of the version shown (the latest not yanked), when kept. */
  report: VersionReport | undefined;
  /** Which dependency ids this catalog holds (those link to their pages). */
  listed: (pluginId: string) => boolean;
  site: CatalogSite;
}

/** The versions newest first, and the one a page shows: the newest not yanked (else the newest). */
export function orderVersions(entry: IndexPluginEntry): {
  versions: IndexVersionEntry[];
  shown: IndexVersionEntry | undefined;
} {
  const versions = Object.values(entry.versions).sort((left, right) =>
    compareVersions(right.version, left.version),
  );
  return { versions, shown: versions.find((version) => !version.yanked) ?? versions[0] };
}

function renderDate(iso: string): SafeHtml {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? html`${iso}`
    : html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 10)}</time>`;
}

function describeRuntime(version: IndexVersionEntry): string {
  const { min_runtime_version: min, max_runtime_version: max } = version;
  if (min === '*' && max === '*') return 'any version';
  if (max === '*') return `${min} or later`;
  if (min === '*') return `up to ${max}`;
  return `${min} to ${max}`;
}

function renderPermissionList(declared: DeclaredPermission[]): SafeHtml {
  return html`<ul>${declared.map(
    (item) =>
      html`<li><strong>${PERMISSION_WORDS[item.kind].sentence}</strong>: ${item.entries.map((entry, index) => html`${index > 0 ? ', ' : ''}<code>${entry}</code>`)}</li>`,
  )}</ul>`;
}

function renderWidened(widened: DeclaredPermission[]): SafeHtml {
  return html`${widened.map(
    (item, index) =>
      html`${index > 0 ? '; ' : ''}${PERMISSION_WORDS[item.kind].short} ${item.entries.join(', ')}`,
  )}`;
}

function renderInstall(entry: IndexPluginEntry, site: CatalogSite, root: string): SafeHtml {
  const command = `npx @agentplug/cli install ${entry.plugin_id} --marketplace ${site.marketplaceUrl} --trusted-key ${site.publicKey}`;
  const code = [
    "import { PluginRegistry } from '@agentplug/registry-client';",
    '',
    'const registry = new PluginRegistry({',
    "  pluginDirectory: './plugins',",
    `  marketplaceUrl: ${JSON.stringify(site.marketplaceUrl)},`,
    `  trustedKeys: [${JSON.stringify(site.publicKey)}],`,
    '});',
    `await registry.install(${JSON.stringify(entry.plugin_id)});`,
  ].join('\n');
  return html`<section aria-labelledby="install">
<h2 id="install">Install</h2>
<h3>With the command line</h3>
<pre data-copy="install command"><code>${command}</code></pre>
<h3>From a host (<code>@agentplug/registry-client</code>)</h3>
<pre data-copy="host code"><code>${code}</code></pre>
<p class="hint">The key is this marketplace's signing key; check it first on the <a href="${root}trust/">trust page</a>.</p>
</section>`;
}

function renderSecurity(shown: IndexVersionEntry, report: VersionReport | undefined): SafeHtml {
  const validation = report?.validation ?? undefined;
  const breakdown =
    validation === undefined
      ? html`<p>This marketplace keeps no validation report for this version, only its score.</p>`
      : validation.score_breakdown.length === 0
        ? html`<p>Nothing was deducted: the scan found no risky capability.</p>`
        : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Score breakdown</caption>
<thead><tr><th scope="col">Factor</th><th scope="col">Points</th><th scope="col">Evidence</th></tr></thead>
<tbody>${validation.score_breakdown.map(
            (deduction) =>
              html`<tr><td>${deduction.factor}</td><td>${deduction.points}</td><td>${deduction.evidence.map((evidence, index) => html`${index > 0 ? html`<br>` : ''}${evidence}`)}</td></tr>`,
          )}</tbody>
</table></div>`;
  const findings =
    validation === undefined
      ? ''
      : validation.findings.length === 0
        ? html`<p>No findings.</p>`
        : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Findings</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Capability</th><th scope="col">Where</th><th scope="col">Message</th></tr></thead>
<tbody>${validation.findings.map(
            (finding) =>
              html`<tr><td>${finding.severity}</td><td>${finding.capability}</td><td><code>${finding.file}:${finding.line}:${finding.column}</code></td><td>${finding.message}</td></tr>`,
          )}</tbody>
</table></div>`;
  return html`<section aria-labelledby="security">
<h2 id="security">Security score</h2>
<p>${renderScoreBadge(shown.security_score, shown.risk_level)} <span>${shown.security_score} of 100 for version ${shown.version}, from the validator's static analysis.</span></p>
<h3 id="breakdown">Score breakdown</h3>
${breakdown}
${validation === undefined ? '' : html`<h3 id="findings">Findings (${validation.findings.length})</h3>${findings}`}
${validation !== undefined && validation.warnings.length > 0 ? html`<h3>Warnings</h3><ul>${validation.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>` : ''}
</section>`;
}

function renderVersions(versions: IndexVersionEntry[], shown: IndexVersionEntry | undefined): SafeHtml {
  const ascending = [...versions].reverse();
  return html`<section aria-labelledby="versions">
<h2 id="versions">Versions</h2>
<div class="table-wrap"><table>
<caption class="visually-hidden">Versions, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">Score</th><th scope="col">Notes</th></tr></thead>
<tbody>${versions.map((version) => {
    const previous = ascending[ascending.indexOf(version) - 1];
    const widened =
      previous === undefined ? [] : findWidenedPermissions(previous.permissions, version.permissions);
    return html`<tr${version.yanked ? html` class="is-yanked"` : ''}>
<td>${version.version}</td>
<td>${renderDate(version.published_at)}</td>
<td>${version.security_score}</td>
<td>${version.yanked ? html`<span class="yanked">Yanked</span> ` : ''}${version === shown ? 'shown on this page ' : ''}${widened.length > 0 ? html`<span class="widened">Widened permissions</span> adds ${renderWidened(widened)}` : ''}</td>
</tr>`;
  })}</tbody>
</table></div>
</section>`;
}

function renderPermissions(versions: IndexVersionEntry[], shown: IndexVersionEntry): SafeHtml {
  const declared = listDeclaredPermissions(shown.permissions);
  const older = versions.filter((version) => compareVersions(version.version, shown.version) < 0)[0];
  const widened = older === undefined ? [] : findWidenedPermissions(older.permissions, shown.permissions);
  return html`<section aria-labelledby="permissions">
<h2 id="permissions">Permissions</h2>
${declared.length === 0 ? html`<p>Declares no permissions: no files, network, external APIs or environment variables. In a sandbox it can reach none of them.</p>` : html`<p>What version ${shown.version} declares; in a sandbox it can reach nothing else.</p>${renderPermissionList(declared)}`}
${widened.length > 0 && older !== undefined ? html`<p><span class="widened">Widened in ${shown.version}</span> compared with ${older.version}: adds ${renderWidened(widened)}.</p>` : ''}
</section>`;
}

function renderDependencies(
  shown: IndexVersionEntry,
  listed: (pluginId: string) => boolean,
  root: string,
): SafeHtml {
  return html`<section aria-labelledby="dependencies">
<h2 id="dependencies">Dependencies</h2>
${
  shown.dependencies.length === 0
    ? html`<p>None.</p>`
    : html`<ul>${shown.dependencies.map(
        (dependency) =>
          html`<li>${listed(dependency.plugin_id) ? html`<a href="${pluginPath(root, dependency.plugin_id)}">${dependency.plugin_id}</a>` : html`${dependency.plugin_id} (not in this marketplace)`} <code>${dependency.version_constraint}</code>${dependency.optional ? ' (optional)' : ''}</li>`,
      )}</ul>`
}
</section>`;
}

function renderFacts(
  entry: IndexPluginEntry,
  shown: IndexVersionEntry,
  report: VersionReport | undefined,
  root: string,
): SafeHtml {
  let homepage: SafeHtml | string = '';
  try {
    const url = report?.homepage ? new URL(report.homepage) : undefined;
    if (url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:'))
      homepage = html`<dt>Homepage</dt><dd><a href="${url.href}" rel="nofollow noopener noreferrer">${url.href}</a></dd>`;
  } catch {
    homepage = '';
  }
  return html`<aside aria-labelledby="about">
<h2 id="about">About</h2>
<dl class="facts">
<dt>Publisher</dt><dd><a href="${root}publishers/${publisherSlug(entry.author)}/">${entry.author}</a></dd>
<dt>Type</dt><dd>${entry.plugin_type}</dd>
<dt>Downloads</dt><dd>${entry.downloads}</dd>
<dt>Rating</dt><dd>${entry.rating_count === 0 ? 'not rated yet' : `${entry.rating.toFixed(1)} of 5 (${entry.rating_count} ${entry.rating_count === 1 ? 'rating' : 'ratings'})`}</dd>
<dt>Latest</dt><dd>${shown.version}, ${renderDate(shown.published_at)}</dd>
<dt>Runtime</dt><dd>${describeRuntime(shown)}</dd>
<dt>Archive</dt><dd>${shown.size} bytes, sha256 <code>${shown.sha256.slice(0, 16)}…</code></dd>
${report?.license ? html`<dt>License</dt><dd>${report.license}</dd>` : ''}
${homepage}
<dt>Tags</dt><dd>${entry.tags.length === 0 ? 'none' : entry.tags.map((tag, index) => html`${index > 0 ? ', ' : ''}<a href="${root}?tags=${encodeURIComponent(tag)}">${tag}</a>`)}</dd>
</dl>
</aside>`;
}

/** A plugin's page: description, install, permissions, score and findings, versions, dependencies, README. */
export function renderPluginPage(context: PageContext, data: PluginPageData): string {
  const { entry, report, site } = data;
  const { versions, shown } = orderVersions(entry);
  const { root } = context;
  if (shown === undefined) throw new Error(`${entry.plugin_id} has no versions`);
  const body = html`<article aria-labelledby="plugin-name">
<h1 id="plugin-name">${entry.name}</h1>
<ul class="meta">
<li><code>${entry.plugin_id}</code></li>
<li>v${shown.version}</li>
<li>${entry.plugin_type}</li>
<li>by <a href="${root}publishers/${publisherSlug(entry.author)}/">${entry.author}</a></li>
<li>${renderScoreBadge(shown.security_score, shown.risk_level)}</li>
${shown.yanked ? html`<li><span class="yanked">Every version is yanked</span></li>` : ''}
</ul>
<p class="description">${entry.description}</p>
<div class="columns">
<div>
${renderInstall(entry, site, root)}
${renderPermissions(versions, shown)}
${renderSecurity(shown, report)}
${renderVersions(versions, shown)}
${renderDependencies(shown, data.listed, root)}
<section aria-labelledby="readme" class="readme">
<h2 id="readme">README</h2>
${report?.readme ? renderMarkdown(report.readme) : html`<p>No README shipped with this version.</p>`}
</section>
</div>
${renderFacts(entry, shown, report, root)}
</div>
</article>`;
  return renderPage(context, { title: entry.name, description: summarize(entry.description), body });
}
