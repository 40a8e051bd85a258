import { PluginLoader } from '@agentplug/loader';
import type { IsolationMode, PluginState, SandboxLayers } from '@agentplug/models';
import { type DemoContext, type DemoStep, deferRelease } from '../demo-context';
import { type DemoInvocation, invokeAndPrint } from '../host/invoke-and-print';
import { startWeatherService } from '../services/start-weather-service';
import { DEMO_RUNTIME_VERSION } from './start-marketplace';

/**
 * The plugins the host loads in step 4, and where each runs; word-stats waits for step 7. The
 * calculator runs in a worker sandbox, the weather integration in a sandboxed process (with the OS
 * sandbox where this machine has bubblewrap), the others in the host's thread.
 */
const PLUGINS_TO_LOAD: ReadonlyMap<string, IsolationMode> = new Map<string, IsolationMode>([
  ['com.example.calculator', 'worker'],
  ['com.example.hello', 'none'],
  ['com.example.text-tools', 'none'],
  ['com.example.redact', 'none'],
  ['com.example.planner', 'none'],
  ['com.example.weather', 'process'],
]);

/** The isolation layers of a running plugin, in words (what `state.sandbox` reports). */
function describeLayers(layers: SandboxLayers | null | undefined): string {
  if (!layers || layers.isolation === 'none') return "the host's thread, no layer";
  const parts = [
    layers.process ? 'own process' : 'worker thread',
    ...(layers.permissionModel ? ["Node's permission model"] : []),
    ...(layers.policy ? ['in-realm policy'] : []),
    layers.os ? 'OS sandbox (bubblewrap)' : 'no OS sandbox',
    layers.network === 'proxy' ? "network only through the host's proxy" : 'network checked by the policy',
  ];
  return parts.join(', ');
}

const INVOCATIONS: readonly DemoInvocation[] = [
  { pluginId: 'com.example.hello', capability: 'greet', params: { name: 'Ada' } },
  { pluginId: 'com.example.calculator', capability: 'arithmetic', params: { expression: '2 + 2 * 3' } },
  { pluginId: 'com.example.calculator', capability: 'arithmetic', params: { expression: '(1 + 2) ^ 3 / 9' } },
  {
    pluginId: 'com.example.calculator',
    capability: 'arithmetic',
    params: { expression: '2 / 3', precision: 4 },
  },
  {
    pluginId: 'com.example.calculator',
    capability: 'scientific',
    params: { function: 'sin', value: 1.5707963267948966 },
  },
  { pluginId: 'com.example.calculator', capability: 'arithmetic', params: { expression: '1 / (2 - 2)' } },
  { pluginId: 'com.example.calculator', capability: 'arithmetic', params: { expression: 'process.exit(1)' } },
  { pluginId: 'com.example.calculator', capability: 'arithmetic', params: { precision: 3 } },
  { pluginId: 'com.example.mathlib', capability: 'factorial', params: { n: 25 } },
  { pluginId: 'com.example.mathlib', capability: 'lcm', params: { values: [4, 6, 10] } },
  { pluginId: 'com.example.text-tools', capability: 'process', params: { data: 'plugins all the way down' } },
  { pluginId: 'com.example.text-tools', capability: 'slugify', params: { text: 'Héllo, Plugin World!' } },
  {
    pluginId: 'com.example.redact',
    capability: 'processRequest',
    params: { message: 'Mail ada@example.com, card 4111 1111 1111 1111' },
  },
  {
    pluginId: 'com.example.planner',
    capability: 'plan',
    params: {
      tasks: [
        { id: 'answer', after: ['search', 'calculate'] },
        { id: 'search', after: ['understand'] },
        { id: 'calculate', after: ['understand'] },
        { id: 'understand' },
      ],
    },
  },
  { pluginId: 'com.example.weather', capability: 'forecast', params: { city: 'Lisbon' } },
];

function countBy(states: readonly PluginState[], key: (state: PluginState) => string): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(key(state), (counts.get(key(state)) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} ${count}`).join(', ');
}

/**
 * Step 4: the host discovers the installed plugins, loads and activates them (dependencies
 * first), invokes their capabilities, and lists them by status and type.
 */
export const loadAndInvokePluginsStep: DemoStep = {
  number: 4,
  title: 'Discover, load, activate and invoke (@agentplug/loader)',
  async run(context: DemoContext): Promise<void> {
    const { output } = context;
    const loader = new PluginLoader({
      pluginDirectory: context.workspace.pluginsFolder,
      validator: context.validator,
      runtimeVersion: DEMO_RUNTIME_VERSION,
    });
    context.loader = loader;
    deferRelease(context, 'plugin loader', () => loader.close());
    const weatherService = await startWeatherService();
    context.weatherService = weatherService;
    deferRelease(context, 'weather service', () => weatherService.close());
    output.line(`local weather service for the integration: ${weatherService.url}`);

    const discovered = await loader.discoverPlugins();
    output.line(
      `discovered ${discovered.length} plugins in the install folder: ${discovered.map((plugin) => plugin.plugin_id).join(', ')}`,
    );
    output.line('each load validates the plugin first (the loader shares the host validator)');

    const stopListening = loader.on('stateChange', (event) => {
      if (event.to === 'loaded' && !PLUGINS_TO_LOAD.has(event.pluginId)) {
        output.line(`loaded ${event.pluginId} first, as a dependency (${Math.round(event.durationMs)} ms)`);
      }
    });
    for (const [pluginId, isolation] of PLUGINS_TO_LOAD) {
      const started = performance.now();
      const config =
        pluginId === 'com.example.weather' ? { config: { base_url: weatherService.url } } : undefined;
      const state = await loader.loadPlugin(pluginId, { config, isolation });
      await loader.activatePlugin(pluginId);
      const elapsed = Math.round(performance.now() - started);
      output.line(
        `loaded and activated ${pluginId} ${state.metadata.version} (isolation: ${isolation}) in ${elapsed} ms`,
      );
      if (isolation !== 'none') output.line(`  layers: ${describeLayers(state.sandbox)}`);
    }
    stopListening();
    for (const state of loader.listPlugins({ status: 'loaded' })) {
      await loader.activatePlugin(state.metadata.plugin_id);
      output.line(`activated ${state.metadata.plugin_id} ${state.metadata.version}`);
    }

    output.line();
    output.line('invocations (params checked against each capability JSON Schema):');
    for (const invocation of INVOCATIONS) await invokeAndPrint(loader, output, invocation);

    const calculator = loader.getPluginState('com.example.calculator')?.instance as
      | { arithmetic(expression: string): Promise<number> }
      | undefined;
    if (calculator) {
      output.line(
        `state.instance.arithmetic('2 + 2') through the worker's async proxy -> ${await calculator.arithmetic('2 + 2')}`,
      );
    }

    output.line();
    const states = loader.listPlugins();
    output.table(
      [
        { heading: 'plugin id' },
        { heading: 'version' },
        { heading: 'type' },
        { heading: 'status' },
        { heading: 'isolation' },
      ],
      states.map((state) => [
        state.metadata.plugin_id,
        state.metadata.version,
        state.metadata.plugin_type,
        state.status,
        PLUGINS_TO_LOAD.get(state.metadata.plugin_id) ?? 'none',
      ]),
    );
    output.line(`by status: ${countBy(states, (state) => state.status)}`);
    output.line(`by type: ${countBy(states, (state) => state.metadata.plugin_type)}`);
    output.line(
      `listPlugins({ type: 'tool', status: 'active' }): ${loader
        .listPlugins({ type: 'tool', status: 'active' })
        .map((state) => state.metadata.plugin_id)
        .join(', ')}`,
    );
  },
};
