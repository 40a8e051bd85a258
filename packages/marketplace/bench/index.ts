// The registry-client bench's helpers, shared by path rather than copied.
import { median, round } from '../../registry-client/bench/synthetic-index';
import { launchChromium } from '../test/helpers/chromium';
import { measureCatalogFigures } from './catalog-figures';
import { startLargeMarketplace } from './large-store';

const PLUGINS = 10_000;
const large = await startLargeMarketplace(PLUGINS);
try {
  const { server, body } = large;
  const queries = [
    'q=math',
    'q=weather%20calendar',
    'q=finance&type=tool',
    'tags=chat',
    'q=vendor%2012&limit=50',
    'q=nothing-matches',
    '',
  ];
  const direct: number[] = [];
  for (let round = -1; round < 20; round += 1) {
    for (const query of queries) {
      const start = performance.now();
      const response = await fetch(`${server.url}api/v1/search?${query}`);
      await response.json();
      if (round >= 0) direct.push(performance.now() - start);
    }
  }
  console.log(
    JSON.stringify({
      name: 'server search endpoint over a 10,000-plugin store (median per HTTP request, 127.0.0.1)',
      value: round(median(direct)),
      unit: 'ms',
      goal: '< 20 ms',
    }),
  );
  const browser = await launchChromium();
  try {
    const figures = await measureCatalogFigures({
      browser,
      marketplaceUrl: server.url,
      pluginId: Object.keys(body.plugins)[0] ?? '',
      plugins: PLUGINS,
    });
    for (const figure of figures) console.log(JSON.stringify(figure));
  } finally {
    await browser.close();
  }
} finally {
  await large.close();
}
await import('./store-engines');
