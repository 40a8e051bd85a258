import { randomBytes } from 'node:crypto';
import { createMarketplaceServer, generateSigningKeyPair, packPlugin } from '@agentplug/marketplace';
import { PluginRegistry, publishArchive } from '@agentplug/registry-client';
import { PluginValidator } from '@agentplug/validator';
import { type DemoContext, type DemoStep, deferRelease } from '../demo-context';
import { orderForPublishing } from '../examples/order-for-publishing';
import { ratePlugin } from '../marketplace/rate-plugin';
import { describeError } from '../run-demo';

/** The runtime version the demo's host reports to the registry and the loader. */
export const DEMO_RUNTIME_VERSION = '0.1.0';

/** Ratings the demo's users give, so search has some to show. */
const RATINGS: ReadonlyArray<readonly [string, number]> = [
  ['com.example.calculator', 5],
  ['com.example.calculator', 4],
  ['com.example.hello', 5],
  ['com.example.mathlib', 4],
  ['com.example.weather', 3],
  ['com.example.redact', 5],
];

/**
 * Step 1: starts the reference marketplace server on 127.0.0.1 (a free port) with a fresh
 * signing key, packs every example plugin and publishes it over HTTP with the publish token,
 * dependencies first; the server validates each upload and refuses what fails (a plugin whose
 * dependencies it cannot provide, too). Creates the host's registry client too.
 */
export const startMarketplaceStep: DemoStep = {
  number: 1,
  title: 'Start a marketplace and publish the example plugins (@agentplug/marketplace)',
  async run(context: DemoContext): Promise<void> {
    const { output, workspace } = context;
    const keys = generateSigningKeyPair();
    const publishToken = randomBytes(24).toString('hex');
    const validator = new PluginValidator();
    const marketplace = await createMarketplaceServer({
      storeDirectory: workspace.marketplaceFolder,
      host: '127.0.0.1',
      port: 0,
      signingKey: keys.privateKey,
      publishToken,
      validator,
      statsResignDelayMs: 100,
    });
    context.marketplace = marketplace;
    context.publishToken = publishToken;
    context.validator = validator;
    deferRelease(context, 'marketplace server', () => marketplace.close());
    output.line(
      `marketplace listening on ${marketplace.url} (metadata signed with ed25519 key ${keys.keyId.slice(0, 12)}…)`,
    );
    output.line(`web catalog: ${marketplace.catalogUrl} (open it in a browser while the demo runs)`);

    const rows: string[][] = [];
    const refused: string[] = [];
    for (const example of orderForPublishing(context.examples)) {
      const packed = await packPlugin(example.folder, { outputDirectory: workspace.archivesFolder });
      try {
        const published = await publishArchive(packed.archive, {
          marketplaceUrl: marketplace.url,
          token: publishToken,
        });
        rows.push([
          published.plugin_id,
          published.version,
          `${published.size} B`,
          `${published.sha256.slice(0, 12)}…`,
          String(published.security_score),
          published.risk_level,
        ]);
      } catch (error) {
        refused.push(
          `${packed.manifest.plugin_id} ${packed.manifest.version}: refused, ${describeError(error)}`,
        );
      }
    }
    output.line(`packed ${context.examples.length} example folders into .tgz archives, published over HTTP:`);
    output.table(
      [
        { heading: 'plugin id' },
        { heading: 'version' },
        { heading: 'size', align: 'right' },
        { heading: 'sha256' },
        { heading: 'score', align: 'right' },
        { heading: 'risk' },
      ],
      rows,
    );
    for (const line of refused) output.line(line);
    for (const [pluginId, rating] of RATINGS) await ratePlugin(marketplace.url, pluginId, rating);
    output.line(`${RATINGS.length} ratings posted by the demo's users`);

    context.registry = new PluginRegistry({
      pluginDirectory: workspace.pluginsFolder,
      cacheDirectory: workspace.downloadsFolder,
      marketplaceUrl: marketplace.url,
      trustedKeys: [keys.publicKey],
      validator,
      runtimeVersion: DEMO_RUNTIME_VERSION,
      // Every read checks the timestamp (a 304 when nothing changed), so a publish shows at once.
      indexMaxAgeMs: 0,
    });
    const registry = context.registry;
    deferRelease(context, 'registry client', () => registry.close());
    output.line(
      `registry client: installs into ${workspace.pluginsFolder}, trusts the marketplace's public key`,
    );
  },
};
