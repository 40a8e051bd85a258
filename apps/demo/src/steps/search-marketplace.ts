import type { PluginMarketplaceInfo } from '@agentplug/models';
import type { SearchQuery } from '@agentplug/registry-client';
import type { DemoContext, DemoStep } from '../demo-context';
import type { DemoOutput } from '../output/demo-output';

const SEARCHES: ReadonlyArray<readonly [string, SearchQuery]> = [
  ['text "calculator"', { query: 'calculator' }],
  ['type middleware', { pluginType: 'middleware' }],
  ['tags [math]', { tags: ['math'] }],
];

function printResults(output: DemoOutput, results: readonly PluginMarketplaceInfo[]): void {
  output.table(
    [
      { heading: 'plugin id' },
      { heading: 'latest' },
      { heading: 'type' },
      { heading: 'downloads', align: 'right' },
      { heading: 'rating', align: 'right' },
      { heading: 'score', align: 'right' },
      { heading: 'tags' },
    ],
    results.map((result) => [
      result.plugin_id,
      result.version,
      result.plugin_type,
      String(result.downloads),
      result.rating.toFixed(1),
      String(result.security_score),
      result.tags.join(', '),
    ]),
  );
}

/**
 * Step 2: searches the marketplace through the registry client (each result read from signed targets
 * first) by text, by type and by tag, and shows every published version of one plugin.
 */
export const searchMarketplaceStep: DemoStep = {
  number: 2,
  title: 'Search the marketplace (@agentplug/registry-client)',
  async run(context: DemoContext): Promise<void> {
    const { output, registry } = context;
    if (!registry) throw new Error('no registry client (step 1 did not run)');
    for (const [label, search] of SEARCHES) {
      const results = await registry.searchMarketplace(search);
      output.line(`search by ${label}: ${results.length} found`);
      printResults(output, results);
      output.line();
    }
    const mathlib = await registry.getPluginInfo('com.example.mathlib');
    output.line(
      `com.example.mathlib versions: ${mathlib.versions
        .map((version) => `${version.version} (score ${version.security_score})`)
        .join(', ')}; latest ${mathlib.latest_version}`,
    );
  },
};
