import { parseArgs } from 'node:util';
import { PluginLoader } from '@agentplug/loader';
import { activatePluginDirectory } from './activate-plugin-directory';
import type { McpServerOptions } from './mcp-server-options';
import { runMcpStdioServer } from './run-mcp-stdio-server';
import { serveMcpOverHttp } from './serve-mcp-over-http';

const usage = `Usage: agentplug-mcp --plugins <dir> [options]

Serves every plugin in <dir> to MCP clients: over stdio (default) or Streamable HTTP.

Options:
  --plugins <dir>               the plugin directory (required; repeat for several)
  --include-plugin <pattern>    serve only plugins whose id matches (repeatable; * and ? wildcards)
  --exclude-plugin <pattern>    never serve plugins whose id matches (repeatable)
  --include-capability <pat>    serve only matching capabilities: "name" or "plugin.id/name" (repeatable)
  --exclude-capability <pat>    never serve matching capabilities (repeatable)
  --timeout-ms <n>              a time limit per tool call, in milliseconds
  --watch                       hot-reload a plugin when its files change
  --http                        serve Streamable HTTP instead of stdio
  --host <host>                 HTTP interface to bind (default 127.0.0.1)
  --port <n>                    HTTP port (default 0: any free port, printed on start)
  -h, --help                    show this help
`;

/** Where the command writes: standard error by default (standard output carries the protocol). */
export interface McpCommandOptions {
  log?: (message: string) => void;
  /** Stops the command, as closing standard input (stdio) or a signal (HTTP) does. */
  signal?: AbortSignal;
}

/**
 * Runs `agentplug-mcp` with command-line arguments (without the node and script paths) and
 * resolves with the exit code once the server stops.
 *
 * @example
 * process.exitCode = await runMcpCommand(['--plugins', './plugins']);
 */
export async function runMcpCommand(
  argv: readonly string[],
  options: McpCommandOptions = {},
): Promise<number> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[agentplug-mcp] ${message}\n`));
  let values: ReturnType<typeof parseCommandLine>;
  try {
    values = parseCommandLine(argv);
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(usage);
    return 0;
  }
  const pluginDirectories = values.plugins ?? [];
  if (pluginDirectories.length === 0) {
    log(`--plugins <dir> is required\n\n${usage}`);
    return 2;
  }
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  const port = values.port === undefined ? 0 : Number(values.port);
  if ((timeoutMs !== undefined && !(timeoutMs > 0)) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    log(`--timeout-ms must be a positive number and --port a port number\n\n${usage}`);
    return 2;
  }
  const serverOptions: McpServerOptions = {
    ...(values['include-plugin'] ? { includePlugins: values['include-plugin'] } : {}),
    ...(values['exclude-plugin'] ? { excludePlugins: values['exclude-plugin'] } : {}),
    ...(values['include-capability'] ? { includeCapabilities: values['include-capability'] } : {}),
    ...(values['exclude-capability'] ? { excludeCapabilities: values['exclude-capability'] } : {}),
    ...(timeoutMs === undefined ? {} : { callTimeoutMs: timeoutMs }),
    onError: (error) => log(`error: ${error.message}`),
  };
  if (!values.http) {
    await runMcpStdioServer({
      ...serverOptions,
      pluginDirectory: pluginDirectories,
      watch: values.watch ?? false,
      log,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return 0;
  }
  const loader = new PluginLoader({ pluginDirectory: pluginDirectories, watch: values.watch ?? false });
  try {
    await activatePluginDirectory(loader, log);
    const http = await serveMcpOverHttp(loader, {
      ...serverOptions,
      port,
      ...(values.host ? { host: values.host } : {}),
    });
    log(`MCP endpoint: ${http.url}`);
    await waitForStop(options.signal);
    await http.close();
  } finally {
    await loader.close();
  }
  return 0;
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      plugins: { type: 'string', multiple: true },
      'include-plugin': { type: 'string', multiple: true },
      'exclude-plugin': { type: 'string', multiple: true },
      'include-capability': { type: 'string', multiple: true },
      'exclude-capability': { type: 'string', multiple: true },
      'timeout-ms': { type: 'string' },
      watch: { type: 'boolean' },
      http: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
      return;
    }
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
