// Run as a child process by the multi-process tests: one registry operation (or a loop of them) in
// its own process, printing "ready" once set up and a JSON line per result.
import { PluginError } from '@agentplug/models';
import { PluginRegistry } from '../../src/index';

/** What the parent asks a child to do. */
export interface ChildTask {
  pluginDirectory: string;
  cacheDirectory: string;
  marketplaceUrl?: string;
  trustedKey?: string;
  /** `install` from the marketplace, `install-archive` from `archivePath`, `uninstall`, or `cycle` (install-archive and uninstall forever). */
  action: 'install' | 'install-archive' | 'uninstall' | 'cycle';
  pluginId: string;
  archivePath?: string;
  /** Wait for a line on standard input before starting, so several children start together. */
  waitForGo?: boolean;
}

function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
  const registry = new PluginRegistry({
    pluginDirectory: task.pluginDirectory,
    cacheDirectory: task.cacheDirectory,
    marketplaceUrl: task.marketplaceUrl,
    trustedKeys: task.trustedKey === undefined ? [] : [task.trustedKey],
    retries: 0,
    validator: {
      validatePlugin: () => ({
        valid: true,
        errors: [],
        warnings: [],
        securityScore: 100,
        riskLevel: 'low',
        findings: [],
        scoreBreakdown: [],
      }),
    },
  });
  report('ready');
  if (task.waitForGo === true) await new Promise((resolve) => process.stdin.once('data', resolve));
  try {
    if (task.action === 'install') {
      const result = await registry.install(task.pluginId, { validate: false, confirm: () => true });
      report({ ok: true, installed: result.installed, unchanged: result.unchanged });
    } else if (task.action === 'install-archive') {
      await registry.installPlugin(task.pluginId, task.archivePath as string, { validate: false });
      report({ ok: true });
    } else if (task.action === 'uninstall') {
      await registry.uninstallPlugin(task.pluginId, { force: true });
      report({ ok: true });
    } else {
      for (;;) {
        await registry.installPlugin(task.pluginId, task.archivePath as string, { validate: false });
        await registry.uninstallPlugin(task.pluginId, { force: true });
      }
    }
  } catch (error) {
    report({ ok: false, code: PluginError.is(error) ? error.code : 'UNEXPECTED', message: String(error) });
  }
  await registry.close();
}

void main();
