import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isPathInside, PluginError, RISK_LEVELS, type RiskLevel } from '@agentplug/models';
import { type Command, Option } from 'commander';
import { type AskQuestion, askOnTerminal, confirmReplaceFolder } from './confirm-replace';
import { addPublisherCommands } from './publisher-commands';

/** Options of {@link addMarketplaceCommands}. */
export interface MarketplaceCommandsOptions {
  /** How the commands are named in help texts: `agentplug-marketplace` or `agentplug marketplace`. */
  commandPath: string;
  /** Where results and startup lines are written. Default: standard output. */
  print?: (text: string) => void;
  /** Asks before a command replaces something (`build` over a previous build). Default: the terminal, no when there is none. */
  ask?: AskQuestion;
}

interface RiskOptions {
  maxRisk?: string;
  maxRiskLevel?: string;
  minSecurityScore?: string;
}

interface DatabaseOptions {
  store: string;
  databaseUrl?: string;
  schema?: string;
}

interface ServeOptions extends RiskOptions, DatabaseOptions {
  engine?: string;
  logRequests?: boolean;
  host: string;
  port: string;
  token?: string;
  tokenFile?: string;
  keyFile?: string;
  key?: string;
  signerCommand?: string;
  signerPublicKey?: string;
  signerTimeout?: string;
  json?: boolean;
}

interface BuildOptions extends RiskOptions {
  archives: string;
  out: string;
  keyFile?: string;
  key?: string;
  publicUrl?: string;
  yes?: boolean;
}

function parseTimeout(value: string | undefined): number {
  const timeout = Number(value ?? '10000');
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 600_000) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--signer-timeout is milliseconds from 100 to 600000, not "${value}"`,
    );
  }
  return timeout;
}

function parseRiskLevel(value: string | undefined): RiskLevel | undefined {
  if (value === undefined) return undefined;
  if (!RISK_LEVELS.includes(value as RiskLevel)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--max-risk must be one of ${RISK_LEVELS.join(', ')}, not "${value}"`,
    );
  }
  return value as RiskLevel;
}

function parseScore(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const score = Number(value);
  if (value.trim() === '' || !Number.isFinite(score) || score < 0 || score > 100) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--min-security-score must be a number from 0 to 100, not "${value}"`,
    );
  }
  return score;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new PluginError('INVALID_ARGUMENT', `--port must be a port number from 0 to 65535, not "${value}"`);
  }
  return port;
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `cannot read the token file ${path}`, { cause: error });
  }
}

const ENGINES = ['pglite', 'postgres', 'folder'] as const;

function readDatabaseUrl(values: DatabaseOptions): string | undefined {
  const url = values.databaseUrl ?? process.env.AGENTPLUG_DATABASE_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new PluginError('INVALID_ARGUMENT', '--database-url must be a postgres:// connection string');
  }
  return url;
}

function readDatabaseChoice(
  values: ServeOptions,
):
  | { engine: 'folder' }
  | { engine: 'pglite'; schema?: string }
  | { engine: 'postgres'; url: string; schema?: string } {
  const url = readDatabaseUrl(values);
  const engine = values.engine ?? (url === undefined ? 'pglite' : 'postgres');
  if (!ENGINES.includes(engine as (typeof ENGINES)[number])) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--engine must be one of ${ENGINES.join(', ')}, not "${engine}"`,
    );
  }
  const schema = values.schema === undefined ? {} : { schema: values.schema };
  if (engine === 'folder') return { engine: 'folder' };
  if (engine === 'pglite') return { engine: 'pglite', ...schema };
  if (url === undefined) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      '--engine postgres needs --database-url (or AGENTPLUG_DATABASE_URL)',
    );
  }
  return { engine: 'postgres', url, ...schema };
}

// The server is imported (from this package's main entry, which the build keeps external) when a
// command runs, so `agentplug --help` does not load the validator (babel) through it.

// Values are checked in the actions, not by commander argument parsers, so `--help` wins over a bad value.
function addRiskOptions(command: Command): Command {
  return command
    .option(
      '--max-risk <level>',
      `refuse archives whose risk is above this level (${RISK_LEVELS.join('|')}; default high)`,
    )
    .addOption(new Option('--max-risk-level <level>', 'old spelling of --max-risk').hideHelp())
    .option('--min-security-score <n>', 'refuse archives scoring lower (0-100)');
}

function readRiskPolicy(options: RiskOptions): { maxRiskLevel?: RiskLevel; minSecurityScore?: number } {
  const maxRiskLevel = parseRiskLevel(options.maxRisk ?? options.maxRiskLevel);
  const minSecurityScore = parseScore(options.minSecurityScore);
  return {
    ...(maxRiskLevel === undefined ? {} : { maxRiskLevel }),
    ...(minSecurityScore === undefined ? {} : { minSecurityScore }),
  };
}

/**
 * Adds `serve`, `build` and `keygen` to a command: the one definition behind both
 * `agentplug-marketplace <command>` and `agentplug marketplace <command>`, so their flags cannot drift.
 * @example
 * addMarketplaceCommands(new Command('agentplug-marketplace'), { commandPath: 'agentplug-marketplace' });
 */
export function addMarketplaceCommands(parent: Command, options: MarketplaceCommandsOptions): Command {
  const path = options.commandPath;
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const serve = parent
    .command('serve')
    .description('serve a marketplace store over HTTP (signed index, archives, search, publish)')
    .option(
      '--store <dir>',
      'store folder (index, archives, stats); created when missing',
      'marketplace-store',
    )
    .option(
      '--engine <engine>',
      'where the catalog lives: pglite (embedded, in <store>/database), postgres (--database-url), folder (static layout)',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL connection string (else AGENTPLUG_DATABASE_URL); several instances can share one',
    )
    .option('--schema <name>', 'database schema (default agentplug)')
    .option('--no-log-requests', 'do not write a JSON line per request to standard error')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option(
      '--token <token>',
      'publish token (else --token-file, else AGENTPLUG_TOKEN); without one publishing is off',
    )
    .option('--token-file <file>', 'read the publish token from a file')
    .option(
      '--key-file <file>',
      'signing key file, outside the store (default <store>.signing-key.json beside it, created when missing)',
    )
    .option(
      '--signer-command <command>',
      'sign the metadata with a key held elsewhere: a shell command reading the bytes on stdin and printing the base64 ed25519 signature (no key file is read or made)',
    )
    .option('--signer-public-key <key>', "the signer command's public key (base64 SPKI DER or PEM)")
    .option('--signer-timeout <ms>', 'longest wait for one signature from the signer command', '10000')
    .addOption(new Option('--key <file>', 'old spelling of --key-file').hideHelp());
  addRiskOptions(serve)
    .option('--json', 'print { url, public_key, key_id } as one JSON line once listening')
    .addHelpText(
      'after',
      `
Examples:
  $ ${path} serve --store ./store --port 8080
  $ ${path} serve --store /shared/store --database-url postgres://marketplace@db/marketplace --port 8080
  $ ${path} serve --port 0 --json

Publishers, namespaces and tokens: ${path} publisher --help. --token is a shared operator token that
may publish and yank anything.

Clients trust the printed public key (--trusted-key or AGENTPLUG_TRUSTED_KEYS). Stops on Ctrl+C.`,
    )
    .action(async (values: ServeOptions) => {
      const port = parsePort(values.port);
      const policy = readRiskPolicy(values);
      const token =
        values.token ??
        (values.tokenFile === undefined ? undefined : await readTokenFile(values.tokenFile)) ??
        process.env.AGENTPLUG_TOKEN;
      const keyFile = values.keyFile ?? values.key;
      const database = readDatabaseChoice(values);
      const { runMarketplaceServer } = await import('@agentplug/marketplace');
      const running = await runMarketplaceServer({
        storeDirectory: resolve(values.store),
        database,
        ...(values.logRequests === false
          ? {}
          : { logRequest: (line: string) => void process.stderr.write(`${line}\n`) }),
        host: values.host,
        port,
        ...(token ? { publishToken: token } : {}),
        ...(keyFile === undefined ? {} : { keyFile: resolve(keyFile) }),
        ...(values.signerCommand === undefined
          ? {}
          : {
              signerCommand: values.signerCommand,
              ...(values.signerPublicKey === undefined ? {} : { signerPublicKey: values.signerPublicKey }),
              signerTimeoutMs: parseTimeout(values.signerTimeout),
            }),
        ...policy,
        log: values.json ? () => {} : (line) => print(`${line}\n`),
        handleSignals: true,
      });
      print(
        values.json
          ? // snake_case, as every agentplug --json output (the wire formats' casing).
            `${JSON.stringify({ url: running.server.url, public_key: running.publicKey, key_id: running.keyId })}\n`
          : 'press Ctrl+C to stop\n',
      );
    });

  const build = parent
    .command('build')
    .description('sign a folder of .tgz archives into the static layout any file host can serve')
    .requiredOption('--archives <dir>', 'folder of .tgz plugin archives')
    .requiredOption('--out <dir>', 'where v2/ (the signed metadata), archives/ and search are written')
    .option('--key-file <file>', 'signing key file (created when missing)')
    .option('--public-url <url>', 'also write the web catalog, for the URL the output will be served at')
    .option('-y, --yes', 'replace a previous build in --out without asking')
    .addOption(new Option('--key <file>', 'old spelling of --key-file').hideHelp());
  addRiskOptions(build)
    .addHelpText(
      'after',
      `
Example:
  $ ${path} build --archives ./dist-plugins --out ./site --key-file ./signing-key.json
  $ ${path} build --archives ./dist-plugins --out ./site --key-file ./signing-key.json --public-url https://plugins.example.com/
  $ ${path} build --archives ./dist-plugins --out ./site --key-file ./signing-key.json --yes

An --out folder that already holds files (a previous build) is replaced only after a "y" on the
terminal, or with --yes; with no terminal and no --yes, build exits 6 and changes nothing.`,
    )
    .action(async (values: BuildOptions) => {
      const keyFile = values.keyFile ?? values.key;
      if (keyFile === undefined) throw new PluginError('INVALID_ARGUMENT', 'build needs --key-file <file>');
      if (isPathInside(values.out, keyFile)) {
        throw new PluginError(
          'INVALID_ARGUMENT',
          `the signing key ${keyFile} is inside the output ${values.out}, which is served to anyone; keep it outside`,
        );
      }
      await confirmReplaceFolder(resolve(values.out), {
        yes: values.yes,
        ask: options.ask ?? askOnTerminal,
        what: 'the signed metadata, archives and catalog',
      });
      const { buildStaticMarketplace, loadOrCreateKeyFile } = await import('@agentplug/marketplace');
      const result = await buildStaticMarketplace({
        archivesDirectory: resolve(values.archives),
        outputDirectory: resolve(values.out),
        signingKey: await loadOrCreateKeyFile(resolve(keyFile)),
        ...(values.publicUrl === undefined ? {} : { publicUrl: values.publicUrl }),
        ...readRiskPolicy(values),
      });
      print(
        `${JSON.stringify({
          timestamp_path: result.timestampPath,
          version: result.version,
          plugins: result.plugins,
          versions: result.versions,
          timestamp_expires: result.timestampExpires,
          catalog_pages: result.catalogPages,
        })}\n`,
      );
    });

  parent
    .command('keygen')
    .description('print a new ed25519 key pair as JSON (the key file format)')
    .action(async () => {
      const { generateSigningKeyPair } = await import('@agentplug/marketplace');
      print(`${JSON.stringify(generateSigningKeyPair(), null, 2)}\n`);
    });
  addPublisherCommands(parent, {
    commandPath: path,
    print,
    ...(options.ask === undefined ? {} : { ask: options.ask }),
  });
  return parent;
}
