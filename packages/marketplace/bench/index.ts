import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIndex } from '@agentplug/registry-client/protocol';
// The registry-client bench's synthetic index, shared by path rather than copied.
import { buildSyntheticIndex, median, round } from '../../registry-client/bench/synthetic-index';
import { createMarketplaceServer, generateSigningKeyPair } from '../src/index';

const root = await mkdtemp(join(tmpdir(), 'agentplug-marketplace-bench-'));
try {
  const keys = generateSigningKeyPair();
  const store = join(root, 'store');
  await mkdir(join(store, 'archives'), { recursive: true });
  const body = buildSyntheticIndex(10_000);
  await writeFile(join(store, 'index.json'), JSON.stringify(signIndex(body, keys)));
  const server = await createMarketplaceServer({ storeDirectory: store, signingKey: keys, validator: false });
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
  await server.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
await import('./store-engines');
