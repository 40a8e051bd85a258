import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginRegistry } from '@agentplug/registry-client';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { KEY_FILE_NAME, runMarketplaceServer } from '../src/index';

describe('runMarketplaceServer', () => {
  it('creates a key file on first start, prints the URL and public key, and reuses the key on the next start', async () => {
    const root = await createTemporaryFolder();
    const store = join(root, 'store');
    const lines: string[] = [];
    const first = await runMarketplaceServer({
      storeDirectory: store,
      port: 0,
      handleSignals: false,
      log: (line) => lines.push(line),
    });
    const keyFile = JSON.parse(await readFile(join(store, KEY_FILE_NAME), 'utf8'));
    expect(keyFile.publicKey).toBe(first.publicKey);
    expect((await stat(join(store, KEY_FILE_NAME))).mode & 0o777).toBe(0o600);
    expect(lines[0]).toBe(`agentplug marketplace listening on ${first.server.url}`);
    expect(lines.join('\n')).toContain(first.publicKey);
    const registry = new PluginRegistry({
      pluginDirectory: join(root, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: first.server.url,
      trustedKeys: [first.publicKey],
    });
    expect(await registry.searchMarketplace({})).toEqual([]);
    await first.server.close();
    const second = await runMarketplaceServer({
      storeDirectory: store,
      port: 0,
      handleSignals: false,
      log: () => {},
    });
    expect(second.publicKey).toBe(first.publicKey);
    await second.server.close();
  });
});
