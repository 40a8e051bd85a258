import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
} from '../__fixtures__/isolated-plugin-harness';
import { hasControllingTerminal } from './controlling-terminal';
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

/** Every process below `pid` (Linux: /proc/<pid>/task/<tid>/children). */
function descendants(pid: number = process.pid): number[] {
  const found: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number))
      found.push(child, ...descendants(child));
  }
  return found;
}

/** The session of a process, from /proc/<pid>/stat (the fourth field after the command name). */
function sessionOf(pid: number | 'self'): number {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[3]);
}

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

  it('keeps the channel correct after the plugin replaces JSON, Buffer and typed-array members', async () => {
    const { host, crashes } = await harness.startPlugin({
      files: {
        'main.mjs': `export class Plugin {
  tamper() {
    JSON.parse = () => ({ type: 'result', id: 1, value: 'forged' });
    JSON.stringify = () => '{"type":"result","id":1,"value":"forged"}';
    Object.prototype.toJSON = () => 'forged';
    for (const name of ['utf8Write', 'utf8Slice', 'write', 'toString', 'readUInt32BE', 'writeUInt32BE'])
      Buffer.prototype[name] = () => { throw new Error('garbled ' + name); };
    Buffer.byteLength = () => 1;
    const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
    Object.defineProperty(typedArray, 'length', { get() { return 1; }, configurable: true });
    return 'tampered';
  }
  echo(value) { return value; }
}`,
      },
    });
    expect(await host.call('tamper', [])).toBe('tampered');
    for (const value of [
      'text "quoted" \u{1F600}',
      42.5,
      true,
      null,
      undefined,
      -0,
      { nested: [1, 'two'] },
    ]) {
      expect(await host.call('echo', [value])).toStrictEqual(value);
    }
    expect(await host.call('echo', [{ list: ['a', { b: 'c' }] }])).toStrictEqual({ list: ['a', { b: 'c' }] });
    expect(crashes).toEqual([]);
  });

  it('gives the plugin a session of its own only when the host has a terminal it could push input into', async () => {
    const before = new Set(descendants());
    const { host } = await harness.startPlugin({ files: layersPlugin });
    expect(await host.call('where', [])).toMatchObject({ pid: 'number' });
    const started = descendants().filter((pid) => !before.has(pid));
    // The plugin's Node (sh and bubblewrap, above it, name the bootstrap among their arguments too).
    const node = started.filter(
      (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath,
    );
    expect(node).toHaveLength(1);
    const ownSession = status.available && hasControllingTerminal();
    expect(sessionOf(node[0] as number) !== sessionOf('self')).toBe(ownSession);
  });
});
