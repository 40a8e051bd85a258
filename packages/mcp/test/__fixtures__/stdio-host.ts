// A host process for the stdio tests: serves a plugin directory over stdio like `agentplug-mcp`,
// and takes lifecycle commands (activate, deactivate, reload) on a control port printed to
// stderr, since stdin and stdout carry the protocol.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PluginLoader } from '@agentplug/loader';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { activatePluginDirectory, createMcpServer } from '../../src/index';

const pluginDirectory = process.argv[2];
if (!pluginDirectory) throw new Error('usage: stdio-host.ts <plugin directory>');

const loader = new PluginLoader({ pluginDirectory });
await activatePluginDirectory(loader);
const mcp = createMcpServer(loader, { callTimeoutMs: 300, listChangedDebounceMs: 0 });

const control = createServer((request, response) => {
  const [, action, pluginId = ''] = (request.url ?? '').split('/');
  const run =
    action === 'activate'
      ? loader.activatePlugin(pluginId)
      : action === 'deactivate'
        ? loader.deactivatePlugin(pluginId)
        : action === 'reload'
          ? loader.reloadPlugin(pluginId)
          : Promise.reject(new Error(`unknown action ${action}`));
  run.then(
    () => response.end('ok'),
    (error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    },
  );
});
control.listen(0, '127.0.0.1', () => {
  process.stderr.write(`control-port=${(control.address() as AddressInfo).port}\n`);
});

process.stdin.once('end', () => {
  control.close();
  void mcp.close().then(() => loader.close());
});
await mcp.connect(new StdioServerTransport());
