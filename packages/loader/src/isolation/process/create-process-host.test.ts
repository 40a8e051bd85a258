import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
} from '../__fixtures__/isolated-plugin-harness';
import { detectOsSandbox, findBubblewrap, type OsSandboxStatus } from './detect-os-sandbox';

const harness = createIsolatedPluginHarness(processTier);
let status: OsSandboxStatus;
let failingBubblewrap: string;

beforeAll(async () => {
  status = await detectOsSandbox();
  // A bwrap that is installed but cannot make namespaces (as where user namespaces are restricted).
  failingBubblewrap = join(harness.root, 'bwrap');
  writeFileSync(
    failingBubblewrap,
    '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
  );
  chmodSync(failingBubblewrap, 0o755);
});
afterAll(() => harness.cleanup());

const layersPlugin = {
  'main.mjs': `export class Plugin {
  where() { return { pid: typeof process.pid, env: Object.keys(process.env).sort(), cwd: process.cwd() }; }
}`,
};

describe('createProcessHost', () => {
  // The OS-sandboxed tests below only mean something where bubblewrap works: CI installs it
  // (.ci/run), so there, and wherever bwrap is installed, its absence is a failure with the reason.
  it('finds a working bubblewrap wherever it is installed, and always in CI', () => {
    if (process.env.CI === 'true' || findBubblewrap() !== undefined) {
      expect(status.reason, 'the process tier would run without its OS sandbox').toBeUndefined();
      expect(status.available).toBe(true);
    } else {
      expect(status.available).toBe(false);
      expect(status.reason).toMatch(/bubblewrap \(bwrap\) is not installed|no OS sandbox is implemented/);
    }
  });

  it('reports every layer this machine offers: the OS sandbox where bubblewrap works', async () => {
    const { host } = await harness.startPlugin({ files: layersPlugin });
    expect(host.sandbox).toEqual({
      isolation: 'process',
      process: true,
      permissionModel: true,
      policy: true,
      os: status.available,
      network: status.available ? 'proxy' : 'policy',
    });
    expect(await host.call('where', [])).toMatchObject({ pid: 'number', env: [] });
  });

  it('runs without the OS layer when it is turned off, and says so', async () => {
    const withoutOs = createIsolatedPluginHarness(processTierWithoutOs);
    try {
      const { host } = await withoutOs.startPlugin({ files: layersPlugin });
      expect(host.sandbox).toEqual({
        isolation: 'process',
        process: true,
        permissionModel: true,
        policy: true,
        os: false,
        network: 'policy',
      });
      expect(await host.call('where', [])).toMatchObject({ env: [] });
    } finally {
      await withoutOs.cleanup();
    }
  });

  it('detects at run time a bubblewrap that cannot make namespaces, and runs without the OS layer', async () => {
    const failing = await detectOsSandbox(failingBubblewrap);
    expect(failing.available).toBe(false);
    expect(failing.reason).toContain('No permissions to create new namespace');
    const { host } = await harness.startPlugin({
      files: layersPlugin,
      processSandbox: { bubblewrapPath: failingBubblewrap },
    });
    expect(host.sandbox).toMatchObject({
      process: true,
      permissionModel: true,
      os: false,
      network: 'policy',
    });
  });

  it('refuses to start a plugin without the OS layer when the host requires it', async () => {
    const marker = join(harness.root, 'started-anyway');
    const { error } = await harness.failToStart({
      files: {
        'main.mjs': `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export class Plugin {}`,
      },
      permissions: { filesystem_write: [harness.root] },
      processSandbox: { bubblewrapPath: failingBubblewrap, requireOsSandbox: true },
    });
    expect(PluginError.is(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    expect((error as PluginError).message).toContain('No permissions to create new namespace');
    expect(existsSync(marker)).toBe(false);
  });

  it('never passes variables that change how Node or the C library start, even when declared', async () => {
    const marker = join(harness.root, 'preloaded-marker');
    const preload = join(harness.root, 'preload.cjs');
    writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`);
    const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, LD_PRELOAD: process.env.LD_PRELOAD };
    process.env.NODE_OPTIONS = `--require ${preload}`;
    process.env.LD_PRELOAD = join(harness.root, 'missing.so');
    try {
      const { host } = await harness.startPlugin({
        files: layersPlugin,
        permissions: {
          environment_variables: ['NODE_OPTIONS', 'LD_PRELOAD'],
          filesystem_read: [harness.root],
        },
      });
      expect(await host.call('where', [])).toMatchObject({ env: [] });
      expect(existsSync(marker)).toBe(false);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('creates a declared write folder that does not exist yet, so the sandbox can show it', async () => {
    const { host, pluginPath } = await harness.startPlugin({
      files: {
        'main.mjs': `import fs from 'node:fs';
export class Plugin { write() { fs.writeFileSync(new URL('./out/made.txt', import.meta.url), 'made'); return fs.readdirSync(new URL('./out', import.meta.url)); } }`,
      },
      permissions: { filesystem_write: ['./out'] },
    });
    expect(await host.call('write', [])).toEqual(['made.txt']);
    expect(existsSync(join(pluginPath, 'out', 'made.txt'))).toBe(true);
  });
});
