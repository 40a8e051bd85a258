import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoContext, DemoStep } from '../demo-context';

/**
 * Step 3 until @agentplug/registry-client lands: copies the example plugins into the host's
 * plugin folder (one folder per plugin id, the newest mathlib), and says so.
 */
export const installExampleCopiesStep: DemoStep = {
  number: 3,
  title: 'Install the example plugins into the host plugin folder (copied)',
  async run(context: DemoContext): Promise<void> {
    const newest = new Map<string, (typeof context.examples)[number]>();
    for (const example of context.examples) newest.set(example.manifest.plugin_id, example);
    context.output.line('Marketplace download and install arrive with @agentplug/registry-client;');
    context.output.line(`until then the examples are copied into ${context.workspace.pluginsFolder}.`);
    for (const example of newest.values()) {
      await cp(example.folder, join(context.workspace.pluginsFolder, example.manifest.plugin_id), {
        recursive: true,
      });
      context.output.line(`copied ${example.manifest.plugin_id} ${example.manifest.version}`);
    }
  },
};
