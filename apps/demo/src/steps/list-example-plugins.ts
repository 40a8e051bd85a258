import type { DemoContext, DemoStep } from '../demo-context';
import { findExamplePlugins } from '../examples/find-example-plugins';

/** Step 0: discovers the example plugins and prints their parsed manifests as a table. */
export const listExamplePluginsStep: DemoStep = {
  number: 0,
  title: 'Example plugins (plugin.json parsed with @agentplug/models)',
  async run(context: DemoContext): Promise<void> {
    context.examples = await findExamplePlugins(context.options.examplesFolder);
    context.output.line(`${context.examples.length} example plugins in ${context.options.examplesFolder}`);
    context.output.table(
      [
        { heading: 'plugin id' },
        { heading: 'version' },
        { heading: 'type' },
        { heading: 'entry' },
        { heading: 'capabilities' },
        { heading: 'dependencies' },
        { heading: 'network hosts' },
      ],
      context.examples.map(({ manifest }) => [
        manifest.plugin_id,
        manifest.version,
        manifest.plugin_type,
        manifest.entry_point,
        manifest.capabilities.map((capability) => capability.name).join(', ') || '-',
        manifest.dependencies
          .map((dependency) => `${dependency.plugin_id} ${dependency.version_constraint}`)
          .join(', ') || '-',
        manifest.permissions.network_hosts.join(', ') || '-',
      ]),
    );
    for (const example of context.examples) {
      for (const warning of example.warnings) {
        context.output.line(`warning: ${example.manifest.plugin_id}: ${warning.message}`);
      }
    }
  },
};
