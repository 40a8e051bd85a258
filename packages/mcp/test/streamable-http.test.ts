import { PluginLoader } from '@agentplug/loader';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { activatePluginDirectory, serveMcpOverHttp } from '../src/index';
import { describeTransportScenarios } from './__fixtures__/transport-scenarios';

describeTransportScenarios('Streamable HTTP', async (pluginDirectory) => {
  const loader = new PluginLoader({ pluginDirectory });
  await activatePluginDirectory(loader);
  const http = await serveMcpOverHttp(loader, { callTimeoutMs: 300, listChangedDebounceMs: 0 });
  const client = new Client({ name: 'http-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  return {
    client,
    activate: async (pluginId) => void (await loader.activatePlugin(pluginId)),
    deactivate: async (pluginId) => void (await loader.deactivatePlugin(pluginId)),
    reload: async (pluginId) => void (await loader.reloadPlugin(pluginId)),
    async close() {
      await client.close();
      await http.close();
      await loader.close();
    },
  };
});
