import type { PluginPermissions } from '@agentplug/models';
import { listDeclaredPermissions, PERMISSION_WORDS } from './describe-permissions';
import { html, type SafeHtml } from './html';
import type { CatalogResult } from './search-catalog';

const SUMMARY_LENGTH = 200;

/** The first line of a description, cut to a length a result row shows. */
export function summarize(description: string): string {
  const line = description.split('\n', 1)[0]?.trim() ?? '';
  return line.length > SUMMARY_LENGTH ? `${line.slice(0, SUMMARY_LENGTH - 1)}…` : line;
}

/** The short permission labels of a result row ("network", "reads files", ...). */
export function permissionLabels(permissions: Partial<PluginPermissions> | undefined): string[] {
  return listDeclaredPermissions(permissions).map((declared) => PERMISSION_WORDS[declared.kind].short);
}

/** The path of a plugin's page from the catalog root. */
export function pluginPath(root: string, pluginId: string): string {
  return `${root}plugins/${encodeURIComponent(pluginId)}/`;
}

/** A score with its risk band, coloured by the band. */
export function renderScoreBadge(score: number | undefined, riskLevel: string | undefined): SafeHtml {
  const risk = ['low', 'medium', 'high', 'critical'].includes(riskLevel ?? '') ? riskLevel : 'critical';
  return html`<span class="badge risk-${risk}">Score ${score ?? '?'} · ${risk} risk</span>`;
}

/** One result row: name, id, version, type, score badge, one-line description, permissions at a glance. */
export function renderResult(root: string, result: CatalogResult): SafeHtml {
  const labels = permissionLabels(result.permissions);
  return html`<li class="result">
<h3><a href="${pluginPath(root, result.plugin_id)}">${result.name}</a></h3>
<ul class="meta">
<li><code>${result.plugin_id}</code></li>
<li>v${result.version}</li>
<li>${result.plugin_type}</li>
<li>${renderScoreBadge(result.security_score, result.risk_level)}</li>
<li>${result.downloads} downloads</li>
</ul>
<p class="summary">${summarize(result.description)}</p>
<ul class="chips" aria-label="Permissions">${(labels.length > 0 ? labels : ['no permissions']).map((label) => html`<li>${label}</li>`)}</ul>
</li>`;
}
