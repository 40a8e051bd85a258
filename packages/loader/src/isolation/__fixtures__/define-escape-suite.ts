import { PluginError, type PluginPermissions } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionEvent } from '../../host/plugin-host';
import { detectOsSandbox } from '../process/detect-os-sandbox';
import { type EscapeAttempt, type EscapeOutcome, esm, setOsSandboxAvailable } from './escape-attempt';
import { fileAttempts } from './escape-attempts-files';
import { moduleAttempts } from './escape-attempts-modules';
import { networkAttempts } from './escape-attempts-network';
import { realmAttempts } from './escape-attempts-realm';
import { createEscapeContext, type EscapeContext, hostSecretValue } from './escape-context';
import { type HarnessTier, waitFor } from './isolated-plugin-harness';

/** Every attempt, for every tier. */
export const escapeAttempts: EscapeAttempt[] = [
  ...moduleAttempts,
  ...fileAttempts,
  ...networkAttempts,
  ...realmAttempts,
];

// Each plugin declares unrelated permissions (a host, a variable), so the denials are about the
// target, not an empty manifest.
const unrelatedPermissions: Partial<PluginPermissions> = {
  network_hosts: ['api.example.com'],
  environment_variables: ['AGENTPLUG_UNRELATED'],
};

const notFoundCodes = new Set(['ENOENT', 'ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

function resolveFor<Value>(
  value: Value | ((tier: HarnessTier) => Value) | undefined,
  tier: HarnessTier,
  fallback: Value,
): Value {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? (value as (tier: HarnessTier) => Value)(tier) : value;
}

function expectDenied(error: unknown, attempt: EscapeAttempt, pluginId: string | undefined): void {
  expect(PluginError.is(error, 'PERMISSION_DENIED'), String(error)).toBe(true);
  const message = (error as PluginError).message;
  const mentions = attempt.mentions ?? [];
  expect(
    mentions.length === 0 || mentions.some((mention) => message.includes(mention)),
    `"${message}" names none of ${JSON.stringify(mentions)}`,
  ).toBe(true);
  if (pluginId !== undefined) expect(message).toContain(pluginId);
  if (attempt.capability !== undefined && pluginId !== undefined) {
    expect((error as PluginError).details).toMatchObject({ capability: attempt.capability });
  }
}

async function expectDeniedEvent(events: PermissionEvent[], capability: string | undefined): Promise<void> {
  if (capability === undefined) return;
  await waitFor(() => events.some((event) => !event.allowed && event.capability === capability));
}

/** Another set of attempts run the same way (the red team's); the default is the escape suite. */
export interface EscapeSuiteOptions {
  title: string;
  attempts: EscapeAttempt[];
  /** How many attempts the tier must run at least (a filter that drops most of them fails). */
  minimumAttempts: number;
}

/**
 * Defines the escape suite for one tier: every attempt in its own plugin, each refused (or failing
 * without effect), the loopback servers, the canary and the host's environment untouched, the
 * plugin's other method still answering, and a bystander plugin in the same tier answering too.
 */
export function defineEscapeSuite(tier: HarnessTier, options?: EscapeSuiteOptions): void {
  let context: EscapeContext;
  beforeAll(async () => {
    setOsSandboxAvailable((await detectOsSandbox()).available);
    context = await createEscapeContext(tier);
  }, 60_000);
  afterAll(() => context.close());

  const attempts = (options?.attempts ?? escapeAttempts).filter(
    (attempt) => attempt.appliesTo?.(tier) ?? true,
  );
  const minimumAttempts = options?.minimumAttempts ?? 80;
  describe(`${options?.title ?? 'escape suite'} (${tier.name})`, () => {
    it(`covers at least ${minimumAttempts} attempts (${attempts.length})`, () => {
      expect(attempts.length).toBeGreaterThanOrEqual(minimumAttempts);
    });

    for (const attempt of attempts) {
      it(`stops ${attempt.name}`, async () => {
        context.arrived.connections = 0;
        context.arrived.datagrams = 0;
        context.arrived.requests = [];
        const options = {
          files: attempt.files(context),
          permissions: { ...unrelatedPermissions, ...attempt.permissions?.(context) },
          config: context.config,
        };
        const stage = resolveFor(attempt.stage, tier, 'call');
        const outcome: EscapeOutcome = resolveFor(attempt.outcome, tier, 'denied');
        if (stage === 'load') {
          const { error, events } = await context.harness.failToStart(options);
          if (outcome === 'hidden' && !PluginError.is(error, 'PERMISSION_DENIED')) {
            expect(String((error as Error).message)).toMatch(/Cannot find|ENOENT|not found/);
          } else {
            expectDenied(error, attempt, undefined);
            await expectDeniedEvent(events, attempt.capability);
          }
          await context.expectNothingEscaped();
          return;
        }
        const { host, events, crashes, pluginId } = await context.harness.startPlugin(options);
        let result: unknown;
        let error: unknown;
        try {
          result = await host.call('attempt', []);
        } catch (caught) {
          error = caught;
        }
        if (outcome === 'denied') {
          expect(error, `the attempt succeeded and returned ${JSON.stringify(result)}`).toBeDefined();
          expectDenied(error, attempt, pluginId);
          await expectDeniedEvent(events, attempt.capability);
        } else if (outcome === 'failed') {
          expect(error, `the attempt succeeded and returned ${JSON.stringify(result)}`).toBeDefined();
          await expectDeniedEvent(events, attempt.capability);
        } else if (error === undefined) {
          // Hidden by the OS sandbox: it answered, with nothing from outside.
          expect(JSON.stringify(result)).not.toMatch(/deep-secret|the host secret|stolen/);
        } else if (!PluginError.is(error, 'PERMISSION_DENIED')) {
          expect(notFoundCodes.has(String((error as { code?: unknown }).code)), String(error)).toBe(true);
        }
        if (attempt.name.includes('redirect')) {
          // The declared host was reached once; the undeclared redirect target never was.
          expect(context.arrived.requests).toEqual(['/redirect']);
          context.arrived.connections = 0;
        }
        await context.expectNothingEscaped();
        expect(await host.call('ping', [])).toBe('pong');
        expect(crashes).toEqual([]);
      }, 30_000);
    }

    if (options !== undefined) return;

    it('hides undeclared environment variables and reports the read', async () => {
      const { host, events } = await context.harness.startPlugin({
        files: esm(
          `return { value: process.env.AGENTPLUG_TEST_SECRET, keys: Object.keys(process.env), has: 'AGENTPLUG_TEST_SECRET' in process.env };`,
        ),
        permissions: unrelatedPermissions,
        config: context.config,
      });
      expect(await host.call('attempt', [])).toEqual({ value: undefined, keys: [], has: false });
      await waitFor(() =>
        events.some(
          (event) => event.capability === 'environment_variables' && event.target === 'AGENTPLUG_TEST_SECRET',
        ),
      );
      expect(events.find((event) => event.target === 'AGENTPLUG_TEST_SECRET')?.allowed).toBe(false);
      expect(process.env.AGENTPLUG_TEST_SECRET).toBe(hostSecretValue);
    });

    it('offers no WebSocket route, or refuses its connection when the runtime has one', async () => {
      // WebSocket is a global only behind --experimental-websocket in Node 20, and undici's (loaded
      // on first use) from Node 22: its connection is refused at net.Socket#connect like fetch's,
      // so the socket reports an error (never opens) and a denied network event is recorded.
      const { host, events } = await context.harness.startPlugin({
        files: esm(
          `if (typeof WebSocket === 'undefined') return 'absent';
const socket = new WebSocket('ws://127.0.0.1:' + c.port);
return await new Promise((resolve) => { socket.onopen = () => resolve('opened'); socket.onerror = () => resolve('refused'); });`,
        ),
        permissions: unrelatedPermissions,
        config: context.config,
      });
      const outcome = await host.call('attempt', []).catch((error: unknown) => error);
      if (outcome !== 'absent') {
        if (outcome !== 'refused')
          expect(PluginError.is(outcome, 'PERMISSION_DENIED'), String(outcome)).toBe(true);
        await expectDeniedEvent(events, 'network');
      }
      await context.expectNothingEscaped();
    });
  });
}
