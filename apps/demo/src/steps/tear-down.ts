import type { DemoContext, DemoStep } from '../demo-context';

/**
 * Step 8: deactivates every active plugin, unloads them all (dependents before what they
 * depend on), and stops the local services. The temporary workspace is removed after the last
 * step unless `--keep` is given.
 */
export const tearDownStep: DemoStep = {
  number: 8,
  title: 'Deactivate, unload, stop',
  async run(context: DemoContext): Promise<void> {
    const { output, loader } = context;
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
    }
    if (context.weatherService) {
      await context.weatherService.close();
      context.weatherService = undefined;
      output.line('stopped the local weather service');
    }
  },
};
