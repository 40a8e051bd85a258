import Module from 'node:module';
import type { PluginPermissions } from '@agentplug/models';
import type { EscapeContext } from './escape-context';
import type { HarnessTier } from './isolated-plugin-harness';

/** Whether this Node runs module hooks in the plugin's own thread (then the process tier gates imports too). */
export const hasInThreadModuleHooks: boolean =
  typeof (Module as unknown as { registerHooks?: unknown }).registerHooks === 'function';

/**
 * How an attempt must end: `denied` (PluginError PERMISSION_DENIED naming one of `mentions`, with a
 * denied permission event of `capability`), `failed` (it throws, whatever the error: the side
 * effect is what is checked), or `hidden` (denied, or, inside the OS sandbox, the target simply
 * does not exist: the call fails as not found, or answers without anything from outside).
 */
export type EscapeOutcome = 'denied' | 'failed' | 'hidden';

/** One way to try to get out: a plugin whose `attempt()` (or entry module) does it. */
export interface EscapeAttempt {
  name: string;
  files: (context: EscapeContext) => Record<string, string>;
  permissions?: (context: EscapeContext) => Partial<PluginPermissions>;
  /** Whether the attempt means anything in this tier (default: every tier). */
  appliesTo?: (tier: HarnessTier) => boolean;
  /** `load`: the entry module itself is refused; `call` (default): attempt() is. */
  stage?: 'load' | 'call' | ((tier: HarnessTier) => 'load' | 'call');
  outcome?: EscapeOutcome | ((tier: HarnessTier) => EscapeOutcome);
  capability?: string;
  /** Fragments one of which the denial's message contains: what to add, or what was refused. */
  mentions?: string[];
}

/** Whether this tier runs inside bubblewrap on this machine (the process tier, unless turned off or unavailable). */
export function hasOsSandbox(tier: HarnessTier): boolean {
  return tier.isolation === 'process' && tier.processSandbox?.osSandbox !== 'off' && osSandboxAvailable;
}

/** Set once by the suite from detectOsSandbox(). */
let osSandboxAvailable = false;

/** Records whether bubblewrap works here (the suite asks detectOsSandbox before defining tests). */
export function setOsSandboxAvailable(available: boolean): void {
  osSandboxAvailable = available;
}

/** Whether imports are refused by a module hook in this tier (else their use is). */
export function importsGated(tier: HarnessTier): boolean {
  return tier.isolation === 'worker' || hasInThreadModuleHooks;
}

/** An ES module plugin whose attempt() runs `body` with `c` bound to the escape context's config. */
export function esm(body: string, imports = ''): Record<string, string> {
  return {
    'main.mjs': `${imports}
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  ping() { return 'pong'; }
  async attempt() { const c = this.config; ${body} }
}`,
  };
}

/** The same as a CommonJS module. */
export function commonJs(body: string): Record<string, string> {
  return {
    'main.cjs': `module.exports.Plugin = class {
  constructor(metadata, config) { this.config = config; }
  ping() { return 'pong'; }
  async attempt() { const c = this.config; ${body} }
};`,
  };
}

/** Runs a shell command that would leave the marker file: the proof a child process ran. */
export const spawnMarker = "cp.execSync('touch ' + c.marker)";
