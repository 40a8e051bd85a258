import { type DemoContext, type DemoStep, settleDeferred } from '../demo-context';

/**
 * Step 9: deactivates every active plugin, unloads them all (dependents before what they
 * depend on), uninstalls them, and stops the registry client, the marketplace and the local
 * service. The temporary workspace is removed after the last step unless `--keep` is given.
 */
export const tearDownStep: DemoStep = {
  number: 9,
  title: 'Deactivate, unload, uninstall; stop the server',
  async run(context: DemoContext): Promise<void> {
    const { output, loader, registry } = context;
    if (loader) {
      for (const state of loader.listPlugins({ status: 'active' })) {
        await loader.deactivatePlugin(state.metadata.plugin_id);
      }
      output.line(
        `deactivated: ${loader
          .listPlugins({ status: 'inactive' })
          .map((state) => state.metadata.plugin_id)
          .join(', ')}`,
      );
      const unloaded: string[] = [];
      const stopListening = loader.on('stateChange', (event) => {
        if (event.to === 'unloaded') unloaded.push(event.pluginId);
      });
      for (const state of loader.listPlugins()) {
        await loader.unloadPlugin(state.metadata.plugin_id, { cascade: true });
      }
      stopListening();
      output.line(`unloaded, dependents first: ${unloaded.join(', ')}`);
      output.line(`plugins still loaded: ${loader.listPlugins().length}`);
      await settleDeferred(context, 'plugin loader');
    }
    if (registry) {
      // The registry refuses to uninstall a plugin others still require, so dependents go first.
      const uninstalled = await uninstallDependentsFirst(registry);
      output.line(`uninstalled, dependents first: ${uninstalled.join(', ')}`);
      output.line(`plugins still installed: ${(await registry.listInstalledPlugins()).length}`);
      await settleDeferred(context, 'registry client');
    }
    if (context.marketplace) {
      await settleDeferred(context, 'marketplace server');
      output.line(`stopped the marketplace at ${context.marketplace.url}`);
    }
    if (context.weatherService) {
      await settleDeferred(context, 'weather service');
      output.line('stopped the local weather service');
    }
  },
};

/** Uninstalls every installed plugin, each only once nothing installed requires it any more. */
async function uninstallDependentsFirst(registry: NonNullable<DemoContext['registry']>): Promise<string[]> {
  const uninstalled: string[] = [];
  let remaining = await registry.listInstalledPlugins();
  while (remaining.length > 0) {
    const required = new Set(
      remaining.flatMap((manifest) => manifest.dependencies.map((dependency) => dependency.plugin_id)),
    );
    const leaves = remaining.filter((manifest) => !required.has(manifest.plugin_id));
    // A cycle would leave no leaf; then the rest is forced out in one go.
    const batch = leaves.length > 0 ? leaves : remaining;
    for (const manifest of batch) {
      await registry.uninstallPlugin(manifest.plugin_id, { force: leaves.length === 0 });
      uninstalled.push(manifest.plugin_id);
    }
    remaining = await registry.listInstalledPlugins();
  }
  return uninstalled;
}
