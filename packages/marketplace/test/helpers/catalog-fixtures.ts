import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginValidator } from '@agentplug/validator';
import {
  createTemporaryFolder,
  writePluginFolder,
} from '../../../registry-client/test/helpers/plugin-fixtures';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
  packPlugin,
  type SigningKeyPair,
} from '../../src/index';

/** The repository's example plugins. */
export const EXAMPLES_FOLDER: string = fileURLToPath(
  new URL('../../../../examples/plugins/', import.meta.url),
);

/** The hostile plugin's id. */
export const HOSTILE_ID = 'com.hostile.markup';
/** The plugin whose second version widens its permissions. */
export const WIDENING_ID = 'com.example.widening';

/** A server that counts every request it gets: anything a page loads from elsewhere shows up here. */
export async function startCountingServer(): Promise<{
  url: string;
  count(): number;
  close(): Promise<void>;
}> {
  let count = 0;
  const server: Server = createServer((_request, response) => {
    count += 1;
    response.end('counted');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The hostile plugin's text: markup, script, requests to `beacon` and terminal escapes. */
export function hostileText(beacon: string): {
  name: string;
  description: string;
  readme: string;
  author: string;
} {
  return {
    name: '<img src=x onerror="window.__pwned=1">Markup Plugin',
    description: `<script>window.__pwned = 1</script><img src="${beacon}description.png" onerror="alert(1)"> A plugin that tries <b>markup</b>.`,
    author: '<i onmouseover="alert(1)">Hostile</i> Corp',
    readme: [
      '# Hostile <script>window.__pwned = 1</script>',
      '',
      `<img src="${beacon}readme.png" onerror="window.__pwned = 1">`,
      '',
      `<iframe src="${beacon}frame"></iframe> <meta http-equiv="refresh" content="0;url=${beacon}refresh">`,
      '',
      `![tracker](${beacon}tracker.png) [click](javascript:window.__pwned=1) [beacon](${beacon}link)`,
      '',
      `<style>body { display: none }</style> <link rel="stylesheet" href="${beacon}style.css">`,
      '',
      'Terminal: \u001b[31mred\u001b[0m \u001b]0;retitled\u0007 \u001b[2J bidi \u202Eevil\u202C',
      '',
      '```html',
      '<script>window.__pwned = 1</script>',
      '```',
    ].join('\n'),
  };
}

/** A running marketplace holding the example plugins, a hostile plugin and a widening one. */
export interface CatalogFixture {
  server: MarketplaceServer;
  keys: SigningKeyPair;
  /** The example plugin ids published (the validator refuses some). */
  published: string[];
  close(): Promise<void>;
}

/**
 * Starts a real marketplace on 127.0.0.1 with the validator, publishes every example plugin
 * (dependencies first), the hostile plugin and the widening plugin, yanks mathlib 1.4.0, counts
 * one download and rates two plugins.
 */
export async function startCatalogFixture(beacon: string): Promise<CatalogFixture> {
  const root = await createTemporaryFolder('agentplug-catalog-');
  const keys = generateSigningKeyPair();
  const server = await createMarketplaceServer({
    storeDirectory: join(root, 'store'),
    signingKey: keys,
    publishToken: 'token',
    validator: new PluginValidator(),
    statsResignDelayMs: 50,
  });
  const published: string[] = [];
  // mathlib first: the calculator depends on it.
  const names = (await readdir(EXAMPLES_FOLDER)).sort((left, right) =>
    left.startsWith('mathlib') === right.startsWith('mathlib')
      ? left.localeCompare(right)
      : left.startsWith('mathlib')
        ? -1
        : 1,
  );
  for (const name of names) {
    const { archive } = await packPlugin(join(EXAMPLES_FOLDER, name));
    try {
      published.push((await server.publish(archive)).plugin_id);
    } catch {
      // The validator refuses an example on purpose (word-stats reaches an undeclared host).
    }
  }
  const hostile = hostileText(beacon);
  await server.publish(
    (
      await packPlugin(
        await writePluginFolder(
          root,
          {
            plugin_id: HOSTILE_ID,
            version: '1.0.0',
            name: hostile.name,
            description: hostile.description,
            author: hostile.author,
            tags: ['<b>tag</b>', 'hostile'],
          },
          { 'README.md': hostile.readme },
        ),
      )
    ).archive,
  );
  const widening: [string, { network_hosts: string[]; environment_variables?: string[] }][] = [
    ['1.0.0', { network_hosts: ['api.example.com'] }],
    [
      '1.1.0',
      { network_hosts: ['api.example.com', 'upload.example.com'], environment_variables: ['UPLOAD_TOKEN'] },
    ],
  ];
  for (const [version, permissions] of widening) {
    await server.publish(
      (
        await packPlugin(
          await writePluginFolder(root, {
            plugin_id: WIDENING_ID,
            version,
            name: 'Widening Example',
            description: 'Its second version asks for more than its first',
            tags: ['example'],
            permissions,
          }),
        )
      ).archive,
    );
  }
  await server.yank('com.example.mathlib', '1.4.0');
  await fetch(new URL('archives/com.example.weather-1.0.0.tgz', server.url)).then((response) =>
    response.arrayBuffer(),
  );
  for (const [pluginId, rating] of [
    ['com.example.weather', 5],
    ['com.example.weather', 4],
    ['com.example.hello', 3],
  ] as const) {
    await fetch(new URL(`api/v1/plugins/${pluginId}/ratings`, server.url), {
      method: 'POST',
      body: JSON.stringify({ rating }),
    });
  }
  // Counted as each request is answered: nothing to wait for. The lists rank with live counters.
  const counted =
    server.getPlugin('com.example.weather')?.rating === 4.5 &&
    server.getPlugin('com.example.hello')?.rating === 3 &&
    server.getPlugin('com.example.weather')?.downloads === 1;
  if (!counted) throw new Error('the downloads and ratings just made are not counted');
  return { server, keys, published, close: () => server.close() };
}
