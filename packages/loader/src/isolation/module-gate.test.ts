import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './__fixtures__/isolated-plugin-harness';

// The worker's module gate (worker/install-module-gate.mjs), in a real worker: in-thread hooks
// where Node has module.registerHooks (22.15, 23.5 and later), a hooks thread before that. CI runs
// this file on Node.js 20 and 24, so both forms pass the same checks.

const root = mkdtempSync(join(tmpdir(), 'agentplug-module-gate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Attempt {
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}

interface GateReport {
  mode: string;
  results: Record<string, Attempt>;
  events: { capability: string; target: string; allowed: boolean }[];
}

const workerSource = `import { parentPort, workerData } from 'node:worker_threads';
const { installModuleGate } = await import(workerData.gateUrl);
const { createPermissionPolicy } = await import(workerData.policyUrl);
const events = [];
const policy = createPermissionPolicy({
  pluginId: 'com.test.gate',
  pluginPath: workerData.pluginPath,
  permissions: {},
  report: (capability, target, allowed) => events.push({ capability, target, allowed }),
});
const mode = installModuleGate({ policy, pluginId: 'com.test.gate', auditPort: workerData.auditPort });
async function attempt(specifier) {
  try {
    const namespace = await import(specifier);
    return { ok: true, value: namespace.value };
  } catch (error) {
    return { ok: false, code: error.code, message: error.message };
  }
}
const results = {};
results.inside = await attempt('./inside.mjs');
results.allowedBuiltin = await attempt('node:path');
results.outside = await attempt(workerData.outsideUrl);
results.builtin = await attempt('node:child_process');
// In-thread, the hook runs beside this code: replacing the intrinsics it could lean on changes nothing.
String.prototype.startsWith = () => true;
String.prototype.endsWith = () => true;
Array.prototype.some = () => true;
Set.prototype.has = () => true;
results.outsideAfterTampering = await attempt(workerData.outsideUrl + '?again');
results.builtinAfterTampering = await attempt('node:worker_threads');
parentPort.postMessage({ mode, results, events });
`;

async function runGate(): Promise<GateReport & { audited: GateReport['events'] }> {
  const pluginPath = join(root, 'plugin');
  const outsidePath = join(root, 'outside');
  mkdirSync(pluginPath, { recursive: true });
  mkdirSync(outsidePath, { recursive: true });
  writeFileSync(join(pluginPath, 'inside.mjs'), 'export const value = "inside";');
  writeFileSync(join(pluginPath, 'worker.mjs'), workerSource);
  writeFileSync(join(outsidePath, 'secret.mjs'), 'export const value = "secret";');
  const audit = new MessageChannel();
  const audited: GateReport['events'] = [];
  audit.port1.on('message', ({ capability, target, allowed }: GateReport['events'][number]) =>
    audited.push({ capability, target, allowed }),
  );
  const worker = new Worker(pathToFileURL(join(pluginPath, 'worker.mjs')), {
    workerData: {
      gateUrl: new URL('./worker/install-module-gate.mjs', import.meta.url).href,
      policyUrl: new URL('./worker/permission-policy.mjs', import.meta.url).href,
      pluginPath,
      outsideUrl: pathToFileURL(join(outsidePath, 'secret.mjs')).href,
      auditPort: audit.port2,
    },
    transferList: [audit.port2],
  });
  try {
    const report = await new Promise<GateReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const denials = () => [...report.events, ...audited].filter((event) => !event.allowed).length;
    await waitFor(() => denials() >= 4, 5000);
    return { ...report, audited };
  } finally {
    await worker.terminate();
    audit.port1.close();
  }
}

describe('the module gate of an isolated plugin', () => {
  it('uses in-thread hooks where Node has module.registerHooks, and refuses the same imports either way', async () => {
    const { mode, results, events, audited } = await runGate();
    const inThread = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';
    expect(mode).toBe(inThread ? 'in-thread' : 'hooks-thread');

    expect(results.inside).toEqual({ ok: true, value: 'inside' });
    expect(results.allowedBuiltin?.ok).toBe(true);
    const outsideFile = join(root, 'outside', 'secret.mjs');
    for (const name of ['outside', 'outsideAfterTampering']) {
      expect(results[name]?.ok, name).toBe(false);
      expect(results[name]?.code, name).toBe('PERMISSION_DENIED');
      expect(results[name]?.message, name).toContain(
        `may not import "${outsideFile}"; add "${outsideFile}" (or its folder) to permissions.filesystem_read`,
      );
    }
    expect(results.builtin).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
    expect(results.builtin?.message).toContain('may not load the built-in module "node:child_process"');
    expect(results.builtinAfterTampering).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
    expect(results.builtinAfterTampering?.message).toContain('"node:worker_threads"');

    // The host hears of every denial: from the worker's own thread in-thread, on the audit port otherwise.
    const heard = inThread ? events : audited;
    expect(heard.filter((event) => !event.allowed)).toEqual([
      { capability: 'filesystem_read', target: outsideFile, allowed: false },
      { capability: 'builtin', target: 'node:child_process', allowed: false },
      { capability: 'filesystem_read', target: outsideFile, allowed: false },
      { capability: 'builtin', target: 'node:worker_threads', allowed: false },
    ]);
    expect(heard).toContainEqual({ capability: 'builtin', target: 'node:path', allowed: true });
  });
});
