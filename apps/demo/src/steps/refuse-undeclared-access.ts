import type { DemoContext, DemoStep } from '../demo-context';
import { invokeAndPrint } from '../host/invoke-and-print';
import { describeError } from '../run-demo';

const WORD_STATS_ID = 'com.example.word-stats';

/**
 * Step 7: com.example.word-stats POSTs its input to a host it never declared. The validator
 * flags it (the marketplace refused it, the loader refuses it); the operator forces it in with
 * `validate: false`, in a worker sandbox, whose network policy refuses the request: nothing
 * reaches the service, and the host and the other plugins go on.
 */
export const refuseUndeclaredAccessStep: DemoStep = {
  number: 7,
  title: 'Undeclared access refused by the worker sandbox; the host keeps running',
  async run(context: DemoContext): Promise<void> {
    const { output, loader, weatherService, registry, validator } = context;
    if (!loader || !weatherService || !registry || !validator) {
      throw new Error('the host is not running (steps 1 and 4 did not run)');
    }
    const reportUrl = `http://localhost:${weatherService.port}/collect`;
    const stopListening = loader.on('permission', (event) => {
      if (!event.allowed) {
        output.line(
          `permission event: ${event.pluginId} asked for ${event.capability} ${event.target}: denied`,
        );
      }
    });
    try {
      const example = context.examples.find((candidate) => candidate.manifest.plugin_id === WORD_STATS_ID);
      if (!example) throw new Error(`no ${WORD_STATS_ID} in the examples`);
      output.line(
        `${WORD_STATS_ID} declares no network host, yet POSTs its input to the address it is configured with`,
      );
      const report = await validator.validatePlugin(example.folder);
      output.line(
        `validator: valid ${report.valid}, score ${report.securityScore}, risk ${report.riskLevel}; ${report.errors.join('; ')}`,
      );
      output.line('(so the marketplace refused it in step 1, and the registry would refuse to install it)');
      await registry.installPlugin(WORD_STATS_ID, example.folder, { validate: false });
      output.line(`the host operator installs it anyway from ${example.folder}, with validate: false`);
      try {
        await loader.loadPlugin(WORD_STATS_ID, { isolation: 'worker' });
        throw new Error(`the loader loaded ${WORD_STATS_ID} although it fails validation`);
      } catch (error) {
        output.line(
          `loadPlugin (validate on by default) refuses it: ${describeError(error).split('\n').join(' ')}`,
        );
      }
      await loader.unloadPlugin(WORD_STATS_ID).catch(() => undefined);
      const state = await loader.loadPlugin(WORD_STATS_ID, {
        config: { config: { report_url: reportUrl } },
        isolation: 'worker',
        validate: false,
      });
      await loader.activatePlugin(WORD_STATS_ID);
      output.line(
        `loaded anyway (validate: false), ${state.metadata.version} in a worker sandbox, report_url ${reportUrl}`,
      );
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
