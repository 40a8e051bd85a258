import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/marketplace';
import { publishArchive } from '@agentplug/registry-client';
import type { DemoContext, DemoStep } from '../demo-context';
import { invokeAndPrint } from '../host/invoke-and-print';
import { trackDownloadProgress } from '../marketplace/track-download-progress';

const CALCULATOR_ID = 'com.example.calculator';
const NEXT_VERSION = '2.1.0';

/**
 * Writes the calculator's next version into `folder`: a copy of the example with the version
 * bumped and a new function, `cbrt`, that 2.0.0 does not know.
 */
async function writeNextCalculatorVersion(exampleFolder: string, folder: string): Promise<void> {
  await cp(exampleFolder, folder, { recursive: true });
  const manifestPath = join(folder, 'plugin.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { version: string };
  manifest.version = NEXT_VERSION;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const functionsPath = join(folder, 'calculator', 'functions.js');
  const functions = await readFile(functionsPath, 'utf8');
  const changed = functions.replace("['abs', Math.abs],", "['abs', Math.abs],\n  ['cbrt', Math.cbrt],");
  if (changed === functions) throw new Error(`${functionsPath} does not have the line the demo extends`);
  await writeFile(functionsPath, changed);
}

/**
 * Step 6: publishes calculator 2.1.0 (adds `cbrt`), checks the installed plugins for updates,
 * downloads and installs the update, and hot-reloads it in the running host (in its worker).
 */
export const publishAndUpdateStep: DemoStep = {
  number: 6,
  title: 'Publish a new calculator version, check for updates, update',
  async run(context: DemoContext): Promise<void> {
    const { output, marketplace, publishToken, registry, loader } = context;
    if (!marketplace || !publishToken || !registry || !loader) {
      throw new Error('the marketplace or the host is not running (steps 1 and 4 did not run)');
    }
    const example = context.examples.find((candidate) => candidate.manifest.plugin_id === CALCULATOR_ID);
    if (!example) throw new Error(`no ${CALCULATOR_ID} in the examples`);
    const cube = {
      pluginId: CALCULATOR_ID,
      capability: 'arithmetic',
      params: { expression: 'cbrt(27) + 1' },
    };
    await invokeAndPrint(loader, output, cube);

    const source = join(context.workspace.sourcesFolder, `${CALCULATOR_ID}-${NEXT_VERSION}`);
    await writeNextCalculatorVersion(example.folder, source);
    const packed = await packPlugin(source, { outputDirectory: context.workspace.archivesFolder });
    const published = await publishArchive(packed.archive, {
      marketplaceUrl: marketplace.url,
      token: publishToken,
    });
    output.line(
      `published ${published.plugin_id} ${published.version} (adds cbrt): ${published.size} B, score ${published.security_score}, risk ${published.risk_level}`,
    );

    // The registry re-reads the marketplace's timestamp on every check (indexMaxAgeMs 0): the new
    // snapshot, and the calculator's new targets with it, are seen at once.
    output.line(`marketplace signed snapshot version ${marketplace.getCatalog().version}`);
    const updates = await registry.checkUpdates();
    for (const update of updates) {
      output.line(
        `update available: ${update.pluginId} ${update.currentVersion} -> ${update.availableVersion}`,
      );
    }
    const update = updates.find((candidate) => candidate.pluginId === CALCULATOR_ID);
    if (!update) throw new Error(`checkUpdates did not offer ${CALCULATOR_ID} ${NEXT_VERSION}`);

    const progress = trackDownloadProgress(output);
    const folder = await registry.downloadPlugin(CALCULATOR_ID, {
      version: update.availableVersion,
      onProgress: progress.onProgress,
    });
    progress.flush();
    await registry.installPlugin(CALCULATOR_ID, folder);
    output.line(
      `installed ${CALCULATOR_ID} ${update.availableVersion}; the previous version was replaced atomically`,
    );
    const started = performance.now();
    const state = await loader.reloadPlugin(CALCULATOR_ID);
    output.line(
      `reloadPlugin: ${CALCULATOR_ID} ${state.metadata.version} ${state.status} in ${Math.round(performance.now() - started)} ms, in a new worker`,
    );
    await invokeAndPrint(loader, output, cube);
    output.line(`updates still available: ${(await registry.checkUpdates()).length}`);
    const [listing] = await registry.searchMarketplace({ query: 'calculator' });
    if (listing) {
      output.line(
        `search "calculator" now: ${listing.plugin_id} ${listing.version}, ${listing.downloads} downloads, rating ${listing.rating.toFixed(1)}, score ${listing.security_score}`,
      );
    }
  },
};
