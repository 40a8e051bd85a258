import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOsSandbox, importsGated, setOsSandboxAvailable } from './__fixtures__/escape-attempt';
import {
  createIsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
  waitFor,
  workerTier,
} from './__fixtures__/isolated-plugin-harness';
import { detectOsSandbox } from './process/detect-os-sandbox';

// The module gate of the isolated-plugin runtime (runtime/module-gate.mjs, registered by install-policy.mjs):
// in-thread hooks where Node has module.registerHooks (22.15, 23.5 and later), a hooks thread
// before that. CI runs this file on Node.js 20 and 24, so both forms pass the same checks. The
// first part registers the gate as the worker bootstrap does, in a real worker, and tells the two
// forms apart by where their permission events arrive; the second runs the same imports in each
// tier through the loader's hosts.

const inThread = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';
const root = mkdtempSync(join(tmpdir(), 'agentplug-module-gate-'));
const outsidePath = join(root, 'outside');
const outsideFile = join(outsidePath, 'secret.mjs');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Attempt {
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}

type GateEvent = { capability: string; target: string; allowed: boolean };

/** The imports every form and tier is tried with; `c.outsideUrl` names a module outside the plugin. */
const attemptsSource = `async function attempt(specifier) {
  try {
    const namespace = await import(specifier);
    return { ok: true, value: namespace.value ?? typeof namespace.join };
  } catch (error) {
    return { ok: false, code: error.code, message: error.message };
  }
}
async function attemptAll(outsideUrl) {
  const results = {};
  results.inside = await attempt('./inside.mjs');
  results.allowedBuiltin = await attempt('node:path');
  results.outside = await attempt(outsideUrl);
  results.builtin = await attempt('node:child_process');
  // In-thread, the hook runs beside this code: replacing the intrinsics it could lean on changes nothing.
  String.prototype.startsWith = () => true;
  String.prototype.endsWith = () => true;
  Array.prototype.some = () => true;
  Set.prototype.has = () => true;
  RegExp.prototype.exec = () => null;
  results.outsideAfterTampering = await attempt(outsideUrl + '?again');
  results.builtinAfterTampering = await attempt('node:worker_threads');
  // Node 20's own module loader fails on a replaced array iterator (with ERR_INVALID_ARG_TYPE):
  // whatever the error, the module outside is not loaded.
  Array.prototype[Symbol.iterator] = function* () {};
  results.outsideAfterIterator = await attempt(outsideUrl + '?iterator');
  return results;
}`;

const workerSource = `import * as workerThreads from 'node:worker_threads';
// Read before installPolicy, as the bootstrap does: it takes workerData and parentPort away.
const { parentPort, workerData } = workerThreads;
const { installPolicy } = await import(workerData.installUrl);
const { createPermissionPolicy } = await import(workerData.policyUrl);
const events = [];
const report = (capability, target, allowed) => events.push({ capability, target, allowed });
const policy = createPermissionPolicy({ pluginId: 'com.test.gate', pluginPath: workerData.pluginPath, permissions: {}, report });
const gated = await installPolicy(policy, { report, asyncHooks: { url: new URL(workerData.hooksUrl), auditPort: workerData.auditPort } });
${attemptsSource}
const results = await attemptAll(workerData.outsideUrl);
parentPort.postMessage({ gated, results, events });
`;

/** The checks every gated form must pass, on the results of attemptsSource. */
function expectGateDecisions(results: Record<string, Attempt>): void {
  expect(results.inside).toEqual({ ok: true, value: 'inside' });
  expect(results.allowedBuiltin).toEqual({ ok: true, value: 'function' });
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
  expect(results.builtinAfterTampering?.message).toContain(
    'may not load the built-in module "node:worker_threads"',
  );
  expect(results.outsideAfterIterator?.ok).toBe(false);
  expect(results.outsideAfterIterator?.value).toBeUndefined();
}

const expectedDenials: GateEvent[] = [
  { capability: 'filesystem_read', target: outsideFile, allowed: false },
  { capability: 'builtin', target: 'node:child_process', allowed: false },
  { capability: 'filesystem_read', target: outsideFile, allowed: false },
  { capability: 'builtin', target: 'node:worker_threads', allowed: false },
];

beforeAll(() => {
  mkdirSync(outsidePath, { recursive: true });
  writeFileSync(outsideFile, 'export const value = "secret";');
});

describe('the module gate as the runtime registers it, in a real worker', () => {
  it('uses in-thread hooks where Node has module.registerHooks, a hooks thread before, and refuses the same imports either way', async () => {
    const pluginPath = join(root, 'direct');
    mkdirSync(pluginPath, { recursive: true });
    writeFileSync(join(pluginPath, 'inside.mjs'), 'export const value = "inside";');
    writeFileSync(join(pluginPath, 'worker.mjs'), workerSource);
    const audit = new MessageChannel();
    const audited: GateEvent[] = [];
    audit.port1.on('message', ({ capability, target, allowed }: GateEvent) =>
      audited.push({ capability, target, allowed }),
    );
    const worker = new Worker(pathToFileURL(join(pluginPath, 'worker.mjs')), {
      workerData: {
        installUrl: new URL('./runtime/install-policy.mjs', import.meta.url).href,
        policyUrl: new URL('./runtime/permission-policy.mjs', import.meta.url).href,
        hooksUrl: new URL('./runtime/module-hooks.mjs', import.meta.url).href,
        pluginPath,
        outsideUrl: pathToFileURL(outsideFile).href,
        auditPort: audit.port2,
      },
      transferList: [audit.port2],
      execArgv: [],
    });
    try {
      const report = await new Promise<{
        gated: boolean;
        results: Record<string, Attempt>;
        events: GateEvent[];
      }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(report.gated).toBe(true);
      expectGateDecisions(report.results);
      // The host hears of every denial: from the plugin's own thread in-thread, on the audit port
      // from a hooks thread; never both.
      const heard = inThread ? report.events : audited;
      const other = inThread ? audited : report.events;
      await waitFor(() => heard.filter((event) => !event.allowed).length >= expectedDenials.length, 5000);
      expect(heard.filter((event) => !event.allowed).slice(0, expectedDenials.length)).toEqual(
        expectedDenials,
      );
      expect(heard).toContainEqual({ capability: 'builtin', target: 'node:path', allowed: true });
      // An allowed target is reported once, however often it is imported.
      expect(heard.filter((event) => event.target === 'node:path')).toHaveLength(1);
      expect(other.filter((event) => event.capability === 'builtin')).toEqual([]);
    } finally {
      await worker.terminate();
      audit.port1.close();
    }
  });
});

describe('the module gate in each tier, through the loader', () => {
  beforeAll(async () => {
    setOsSandboxAvailable((await detectOsSandbox()).available);
  });

  for (const tier of [workerTier, processTierWithoutOs, processTier]) {
    it(`refuses the same imports in the ${tier.name} tier and reports each denial to the host`, async () => {
      const harness = createIsolatedPluginHarness(tier);
      const marker = join(root, `spawned-${tier.name.replaceAll(' ', '-')}`);
      try {
        const { host, events } = await harness.startPlugin({
          files: {
            'main.mjs': `${attemptsSource}
export class Plugin {
  attempt(outsideUrl) { return attemptAll(outsideUrl); }
  async spawn() { const cp = await import('node:child_process'); return cp.execSync('touch ' + ${JSON.stringify(marker)}); }
}`,
            'inside.mjs': 'export const value = "inside";',
          },
        });
        const results = (await host.call('attempt', [pathToFileURL(outsideFile).href])) as Record<
          string,
          Attempt
        >;
        if (importsGated(tier)) {
          expectGateDecisions(results);
          await waitFor(
            () => events.filter((event) => !event.allowed).length >= expectedDenials.length,
            5000,
          );
          expect(
            events
              .filter((event) => !event.allowed)
              .slice(0, expectedDenials.length)
              .map(({ capability, target, allowed }) => ({ capability, target, allowed })),
          ).toEqual(expectedDenials);
          expect(events.filter((event) => event.target === 'node:path' && event.allowed)).toHaveLength(1);
          return;
        }
        // Node 20's process tier has no module hooks (its permission model forbids the hooks
        // thread): Node's permission model refuses the file, or inside the OS sandbox it is not
        // there; the refused built-ins load taken apart, and using them is refused.
        expect(results.inside).toEqual({ ok: true, value: 'inside' });
        expect(results.outsideAfterIterator?.ok).toBe(false);
        for (const name of ['outside', 'outsideAfterTampering']) {
          expect(results[name]?.ok, name).toBe(false);
          if (hasOsSandbox(tier)) expect(results[name]?.code, name).toBe('ERR_MODULE_NOT_FOUND');
          else expect(results[name]?.code, name).toBe('PERMISSION_DENIED');
        }
        const spawned = await host.call('spawn', []).catch((error: unknown) => error);
        expect(PluginError.is(spawned, 'PERMISSION_DENIED'), String(spawned)).toBe(true);
        expect(existsSync(marker)).toBe(false);
      } finally {
        await harness.cleanup();
      }
    });
  }
});

describe('the audit trail of built-in imports, in each tier', () => {
  beforeAll(async () => {
    setOsSandboxAvailable((await detectOsSandbox()).available);
  });

  for (const tier of [workerTier, processTierWithoutOs, processTier]) {
    it(`reports an allowed built-in at most once and never as a denial, and a refused one exactly once (${tier.name})`, async () => {
      const harness = createIsolatedPluginHarness(tier);
      try {
        const { host, events } = await harness.startPlugin({
          files: {
            'main.mjs': `export class Plugin {
  async allowed() { const first = await import('node:path'); const again = await import('path'); return first.join('a', 'b') + again.sep; }
  async refused() { const vm = await import('node:vm'); return vm.runInNewContext('1 + 1'); }
  ping() { return 'pong'; }
}`,
          },
        });
        const builtinEvents = () =>
          events
            .filter((event) => event.capability === 'builtin')
            .map(({ target, allowed }) => ({ target, allowed }));
        expect(await host.call('allowed', [])).toBe('a/b/');
        // A later call's answer comes after every event the earlier one caused (one channel, in
        // order; a hooks thread's events have their own port, hence the wait for them).
        expect(await host.call('ping', [])).toBe('pong');
        if (importsGated(tier)) {
          await waitFor(() => builtinEvents().length >= 1, 5000);
          // Checked once, reported once as allowed (the audit trail shows what the plugin uses).
          expect(builtinEvents()).toEqual([{ target: 'node:path', allowed: true }]);
        } else {
          // No gate to report from (Node 20's process tier): nothing at all is reported.
          expect(builtinEvents()).toEqual([]);
        }
        expect(events.filter((event) => !event.allowed)).toEqual([]);
        const before = builtinEvents().length;
        const refused = await host.call('refused', []).catch((error: unknown) => error);
        expect(PluginError.is(refused, 'PERMISSION_DENIED'), String(refused)).toBe(true);
        await waitFor(() => events.some((event) => !event.allowed), 5000);
        expect(await host.call('ping', [])).toBe('pong');
        const denials = events.filter((event) => !event.allowed);
        expect(denials).toHaveLength(1);
        expect(denials[0]).toMatchObject({ capability: 'builtin', allowed: false });
        expect(denials[0]?.target).toMatch(/^node:vm\b/);
        expect(builtinEvents()).toHaveLength(before + 1);
      } finally {
        await harness.cleanup();
      }
    });
  }
});
