import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describeTransportScenarios } from './__fixtures__/transport-scenarios';

const hostScript = fileURLToPath(new URL('./__fixtures__/stdio-host.ts', import.meta.url));

/** Reads the control port the host prints on stderr. */
function readControlPort(transport: StdioClientTransport): Promise<number> {
  return new Promise((resolve, reject) => {
    const stderr = transport.stderr;
    if (!stderr) return reject(new Error('stderr is not piped'));
    let buffered = '';
    stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /control-port=(\d+)/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
  });
}

function post(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${path} failed: ${body}`)),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describeTransportScenarios('stdio (a server subprocess)', async (pluginDirectory) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--conditions=@agentplug/source', '--import', 'tsx', hostScript, pluginDirectory],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stderr: 'pipe',
  });
  const controlPort = readControlPort(transport);
  const client = new Client({ name: 'stdio-test-client', version: '1.0.0' });
  await client.connect(transport);
  const port = await controlPort;
  return {
    client,
    activate: (pluginId) => post(port, `/activate/${pluginId}`),
    deactivate: (pluginId) => post(port, `/deactivate/${pluginId}`),
    reload: (pluginId) => post(port, `/reload/${pluginId}`),
    close: () => client.close(),
  };
});
