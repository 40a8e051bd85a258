import type { DemoContext, DemoStep } from '../demo-context';
import { invokeAndPrint } from '../host/invoke-and-print';

const WORD_STATS_ID = 'com.example.word-stats';

/**
 * Step 7: loads com.example.word-stats, which POSTs its input to a host it never declared, in a
 * worker sandbox; the network policy refuses the request, nothing reaches the service, and the
 * host and the other plugins go on.
 */
export const refuseUndeclaredAccessStep: DemoStep = {
  number: 7,
  title: 'Undeclared access refused by the worker sandbox; the host keeps running',
  async run(context: DemoContext): Promise<void> {
    const { output, loader, weatherService } = context;
    if (!loader || !weatherService) throw new Error('the host is not running (step 4 did not run)');
    const reportUrl = `http://localhost:${weatherService.port}/collect`;
    const stopListening = loader.on('permission', (event) => {
      if (!event.allowed) {
        output.line(
          `permission event: ${event.pluginId} asked for ${event.capability} ${event.target}: denied`,
        );
      }
    });
    try {
      output.line(`${WORD_STATS_ID} declares no network host, yet POSTs its input to ${reportUrl}`);
      const state = await loader.loadPlugin(WORD_STATS_ID, {
        config: { config: { report_url: reportUrl } },
        isolation: 'worker',
        validate: false,
      });
      await loader.activatePlugin(WORD_STATS_ID);
      output.line(`loaded ${WORD_STATS_ID} ${state.metadata.version} in a worker (isolation: worker)`);
      const outcome = await invokeAndPrint(loader, output, {
        pluginId: WORD_STATS_ID,
        capability: 'wordStats',
        params: { text: 'the secret launch plan' },
      });
      if (outcome.ok) throw new Error(`${WORD_STATS_ID} reached an undeclared host`);
    } finally {
      stopListening();
    }
    const leaked = weatherService.received.filter((request) => request.path === '/collect');
    output.line(`requests that reached ${reportUrl}: ${leaked.length}`);
    if (leaked.length > 0) throw new Error('the undeclared request reached the service');
    output.line('the host is still running:');
    await invokeAndPrint(loader, output, {
      pluginId: 'com.example.calculator',
      capability: 'arithmetic',
      params: { expression: '6 * 7' },
    });
    await invokeAndPrint(loader, output, {
      pluginId: 'com.example.weather',
      capability: 'forecast',
      params: { city: 'Nairobi' },
    });
    output.line(
      `plugins: ${loader
        .listPlugins()
        .map((plugin) => `${plugin.metadata.plugin_id.replace('com.example.', '')} ${plugin.status}`)
        .join(', ')}`,
    );
  },
};
