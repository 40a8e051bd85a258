import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@agentplug/registry-client';
import { describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../registry-client/test/helpers/plugin-fixtures';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('agentplug-marketplace serve', () => {
  it('starts on the given port, prints the URL and public key, serves a verifiable index, and stops on SIGTERM', async () => {
    const root = await createTemporaryFolder();
    const child = spawn(
      process.execPath,
      [
        '--conditions=@agentplug/source',
        '--import',
        'tsx',
        cliPath,
        'serve',
        '--store',
        join(root, 'store'),
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('key id:')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    try {
      await started;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
    const publicKey = /\(trustedKeys\): (\S+)/.exec(output)?.[1] ?? '';
    const registry = new PluginRegistry({
      pluginDirectory: join(root, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: url,
      trustedKeys: [publicKey],
    });
    expect((await registry.refreshIndex()).search_endpoint).toBe('api/v1/search');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
