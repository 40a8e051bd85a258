import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PluginError } from '@agentplug/models';
import type { PublishArchiveResult } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { checkVersions } from '../build/check-versions';
import { planPack } from '../build/plan-pack';
import { formatBytes, printErrorLine, printJson, printLine } from '../program/output';
import { readCliConfig, resolveMarketplaceUrl } from '../program/settings';
import { checkPluginManifest } from './pack';

interface PublishOptions {
  token?: string;
  check?: boolean;
  json?: boolean;
  requireTls?: boolean;
}

async function readArchive(target: string, check: boolean): Promise<Buffer> {
  const info = await stat(target).catch((error: unknown) => {
    throw new PluginError('INVALID_ARGUMENT', `${target} does not exist`, { cause: error });
  });
  if (info.isFile()) return readFile(target);
  if (check) await checkPluginManifest(target, { write: false });
  // A folder ships what `pack` would ship: the same plan, the same version check.
  const plan = await planPack(target, { requireEntry: true });
  await checkVersions(target, plan.manifest);
  const { packPlugin } = await import('@agentplug/registry-client');
  return (await packPlugin(target, { includeNodeModules: plan.includeNodeModules })).archive;
}

/** Publishes through the registry client, wording its errors for a terminal. */
async function uploadArchive(
  marketplaceUrl: string,
  token: string,
  archive: Buffer,
  requireTls: boolean,
): Promise<PublishArchiveResult> {
  const { publishArchive } = await import('@agentplug/registry-client');
  try {
    return await publishArchive(archive, {
      marketplaceUrl,
      token,
      requireTls,
      onInsecureTransport: (message) =>
        printErrorLine(`warning: ${message} (pass --require-tls to refuse instead)`),
    });
  } catch (error) {
    if (!PluginError.is(error)) throw error;
    const status = error.details.status;
    if (PluginError.is(error, 'INVALID_ARGUMENT') && status === undefined) throw error;
    const message =
      typeof status === 'number'
        ? `the marketplace refused the upload (HTTP ${status}): ${error.message}`
        : `cannot reach the marketplace at ${new URL(marketplaceUrl).origin}: ${error.message}`;
    throw new PluginError(error.code, message, { details: error.details, cause: error });
  }
}

/** Registers `agentplug publish [target]`. */
export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description('pack a plugin folder (or take a .tgz) and upload it to the marketplace')
    .argument('[target]', 'plugin folder or .tgz archive', '.')
    .option('--token <token>', 'publish token (else AGENTPLUG_TOKEN, else "token" in the config file)')
    .option('--no-check', 'do not check plugin.json against the sdk definition before packing')
    .option('--json', 'print the result as JSON')
    .option('--require-tls', 'refuse to send the token over plain http:// to a host other than this machine')
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug publish --marketplace http://127.0.0.1:8080 --token "$TOKEN"
  $ AGENTPLUG_MARKETPLACE=https://plugins.example.com agentplug publish com.example.hello-1.0.0.tgz

Over plain http:// to a host other than this machine the token travels unencrypted: publish warns,
and refuses with --require-tls.

Exit codes: 0 published, 2 no marketplace or token (or plain HTTP with --require-tls), 3 plugin invalid
(refused), 4 marketplace unreachable or answering something that is not a marketplace answer.`,
    )
    .action(async (target: string, options: PublishOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ marketplace?: string; config?: string }>();
      const marketplaceUrl = await resolveMarketplaceUrl(globals);
      const token = options.token ?? process.env.AGENTPLUG_TOKEN ?? (await readCliConfig(globals)).token;
      if (!token) {
        throw new PluginError(
          'INVALID_ARGUMENT',
          'no publish token: pass --token, set AGENTPLUG_TOKEN, or add "token" to the config file',
        );
      }
      const archive = await readArchive(resolve(target), options.check !== false);
      const result = await uploadArchive(marketplaceUrl, token, archive, options.requireTls === true);
      if (options.json) {
        printJson(result);
        return;
      }
      printLine(`published ${result.plugin_id}@${result.version} to ${marketplaceUrl}`);
      printLine(`  size:           ${formatBytes(result.size)}`);
      printLine(`  sha256:         ${result.sha256}`);
      printLine(`  security score: ${result.security_score}/100 (risk ${result.risk_level})`);
    });
}
