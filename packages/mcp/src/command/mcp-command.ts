import {
  type IsolationMode,
  IsolationModeSchema,
  PluginError,
  RISK_LEVELS,
  type RiskLevel,
} from '@agentplug/models';
import { Command } from 'commander';

/** Options of {@link createMcpCommand}. */
export interface CreateMcpCommandOptions {
  /** The command's name: `agentplug-mcp` for the program, `mcp` under `agentplug`. */
  name: string;
  /** How examples name the command: `agentplug-mcp` or `agentplug mcp`. */
  commandPath: string;
  /** Where progress and failures are written. Default: standard error. */
  log?: (message: string) => void;
  /** Stops the server, as closing standard input (stdio) or a signal (HTTP) does. */
  signal?: AbortSignal;
}

interface McpCommandValues {
  plugins: string[];
  isolation?: string;
  maxRisk?: string;
  validate: boolean;
  watch?: boolean;
  http?: boolean;
  host?: string;
  port?: string;
  timeoutMs?: string;
  includePlugin?: string[];
  excludePlugin?: string[];
  includeCapability?: string[];
  excludeCapability?: string[];
}

// The tiers the installed loader knows: 'process' is offered as soon as the models' IsolationMode has it.
const ISOLATION_MODES: readonly string[] = ['none', 'worker', 'process'].filter(
  (mode) => IsolationModeSchema.safeParse(mode).success,
);

function invalid(message: string): PluginError {
  return new PluginError('INVALID_ARGUMENT', message);
}

function parseInteger(
  value: string,
  options: { flag: string; min: number; max: number; what: string },
): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < options.min || number > options.max) {
    throw invalid(`${options.flag} must be ${options.what}, not "${value}"`);
  }
  return number;
}

/** Reads the flags into the server's options; every value is checked here, so `--help` always wins. */
function readValues(values: McpCommandValues) {
  if (values.isolation !== undefined && !ISOLATION_MODES.includes(values.isolation)) {
    throw invalid(`--isolation must be one of ${ISOLATION_MODES.join(', ')}, not "${values.isolation}"`);
  }
  if (values.maxRisk !== undefined && !RISK_LEVELS.includes(values.maxRisk as RiskLevel)) {
    throw invalid(`--max-risk must be one of ${RISK_LEVELS.join(', ')}, not "${values.maxRisk}"`);
  }
  if (!values.http && (values.host !== undefined || values.port !== undefined)) {
    throw invalid('--host and --port choose where --http listens: add --http, or leave them out for stdio');
  }
  const timeoutMs =
    values.timeoutMs === undefined
      ? undefined
      : parseInteger(values.timeoutMs, {
          flag: '--timeout-ms',
          min: 1,
          max: 2_147_483_647,
          what: 'a whole number of milliseconds above 0',
        });
  const port =
    values.port === undefined
      ? 0
      : parseInteger(values.port, {
          flag: '--port',
          min: 0,
          max: 65_535,
          what: 'a port number from 0 to 65535',
        });
  return {
    pluginDirectory: values.plugins,
    ...(values.isolation === undefined ? {} : { isolation: values.isolation as IsolationMode }),
    ...(values.maxRisk === undefined ? {} : { maxRiskLevel: values.maxRisk as RiskLevel }),
    watch: values.watch ?? false,
    ...(values.http ? { http: { host: values.host ?? '127.0.0.1', port } } : {}),
    ...(timeoutMs === undefined ? {} : { callTimeoutMs: timeoutMs }),
    ...(values.includePlugin ? { includePlugins: values.includePlugin } : {}),
    ...(values.excludePlugin ? { excludePlugins: values.excludePlugin } : {}),
    ...(values.includeCapability ? { includeCapabilities: values.includeCapability } : {}),
    ...(values.excludeCapability ? { excludeCapabilities: values.excludeCapability } : {}),
  };
}

/**
 * The one definition of the MCP command's options and action, behind both `agentplug-mcp` and
 * `agentplug mcp`: `--plugins`, `--isolation`, `--max-risk`, `--no-validate`, `--watch`, `--http`,
 * `--host`, `--port`, `--timeout-ms` and the include/exclude filters. Validation is on by default.
 * The server itself is imported when the command runs, so building the command loads no plugin code.
 * @example
 * program.addCommand(createMcpCommand({ name: 'mcp', commandPath: 'agentplug mcp' }));
 */
export function createMcpCommand(options: CreateMcpCommandOptions): Command {
  const path = options.commandPath;
  return new Command(options.name)
    .description('serve the tools of a folder of plugins to MCP clients, over stdio or Streamable HTTP')
    .requiredOption('--plugins <dir...>', 'plugin folder(s) to load, validate and activate (must exist)')
    .option(
      '--isolation <mode>',
      `run every plugin in this tier, over its config.json (${ISOLATION_MODES.join('|')})`,
    )
    .option(
      '--max-risk <level>',
      `refuse plugins whose risk is above this level (${RISK_LEVELS.join('|')}; default high)`,
    )
    .option('--no-validate', 'load plugins without validating them first (not recommended)')
    .option('--watch', 'follow the folders: reload changed plugins, load added ones, unload removed ones')
    .option('--http', 'serve Streamable HTTP instead of stdio')
    .option('--host <host>', 'with --http: the interface to bind (default 127.0.0.1)')
    .option('--port <port>', 'with --http: the port (default 0, any free port; printed on start)')
    .option('--timeout-ms <n>', 'a time limit per tool call, in milliseconds')
    .option('--include-plugin <patterns...>', 'serve only plugins whose id matches (* and ? wildcards)')
    .option('--exclude-plugin <patterns...>', 'never serve plugins whose id matches')
    .option(
      '--include-capability <patterns...>',
      'serve only matching capabilities: "name" or "plugin.id/name"',
    )
    .option('--exclude-capability <patterns...>', 'never serve matching capabilities')
    .addHelpText(
      'after',
      `
Standard output carries the MCP protocol; logs, and every plugin that fails to load or reload
(with its error code), go to standard error.

Examples:
  $ ${path} --plugins ./plugins
  $ ${path} --plugins ./plugins --isolation worker --max-risk medium --watch
  $ ${path} --plugins ./plugins --http --port 3333

An MCP client configuration:
  { "mcpServers": { "agentplug": { "command": "${path.split(' ')[0]}", "args": [${path
    .split(' ')
    .slice(1)
    .map((word) => `"${word}", `)
    .join('')}"--plugins", "/path/to/plugins"] } } }

Exit codes: 0 when the client closes standard input (or a signal stops --http); 2 usage, or a
plugin folder that is missing or unreadable; 1 any other failure.`,
    )
    .action(async (values: McpCommandValues) => {
      const settings = readValues(values);
      // Loaded on use: the loader, the MCP SDK and babel are not needed to build or print the command.
      const [{ runMcpPluginServer }, validator] = await Promise.all([
        import('@agentplug/mcp'),
        values.validate
          ? import('@agentplug/validator').then(({ PluginValidator }) => new PluginValidator())
          : undefined,
      ]);
      await runMcpPluginServer({
        ...settings,
        ...(validator === undefined ? {} : { validator }),
        ...(options.log === undefined ? {} : { log: options.log }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    });
}
