import { resolve } from 'node:path';
import { PluginError } from '@agentplug/models';
import type { Command } from 'commander';
import { printLine } from '../program/output';
import { parseRiskLevel } from './validate';

interface ServeOptions {
  store: string;
  host: string;
  port: string;
  token?: string;
  keyFile?: string;
  maxRisk?: string;
  json?: boolean;
}

/** Registers `agentplug marketplace serve`. */
export function registerMarketplaceCommand(program: Command): void {
  const marketplace = program.command('marketplace').description('run the reference marketplace server');
  marketplace
    .command('serve')
    .description('serve a marketplace store over HTTP (signed index, archives, search, publish)')
    .option(
      '--store <dir>',
      'store folder (index, archives, stats); created when missing',
      'marketplace-store',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--token <token>', 'publish token (else AGENTPLUG_TOKEN); without one publishing is disabled')
    .option('--key-file <file>', 'signing key file (default <store>/signing-key.json, created when missing)')
    .option('--max-risk <level>', 'refuse uploads whose risk is above this level')
    .option('--json', 'print { url, publicKey, keyId } as one JSON line once listening')
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug marketplace serve --store ./store --port 8080 --token "$TOKEN"
  $ agentplug marketplace serve --port 0 --json

Clients trust the printed public key (--trusted-key or AGENTPLUG_TRUSTED_KEYS). Stops on Ctrl+C.

Exit codes: 0 stopped, 2 bad option, 4 the port cannot be used.`,
    )
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new PluginError('INVALID_ARGUMENT', `--port must be a port number, not "${options.port}"`);
      }
      const publishToken = options.token ?? process.env.AGENTPLUG_TOKEN;
      const { runMarketplaceServer } = await import('@agentplug/marketplace');
      const running = await runMarketplaceServer({
        storeDirectory: resolve(options.store),
        host: options.host,
        port,
        ...(publishToken ? { publishToken } : {}),
        ...(options.keyFile ? { keyFile: resolve(options.keyFile) } : {}),
        ...(options.maxRisk ? { maxRiskLevel: parseRiskLevel(options.maxRisk) } : {}),
        log: options.json ? () => {} : (line) => printLine(line),
        handleSignals: true,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ url: running.server.url, publicKey: running.publicKey, keyId: running.keyId })}\n`,
        );
      } else {
        printLine('press Ctrl+C to stop');
      }
    });
}
