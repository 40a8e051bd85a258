import { resolve } from 'node:path';
import { PluginError, toSnakeCaseKeys } from '@agentplug/models';
import type { Command } from 'commander';
import type { TokenScope } from '../publishers/api-token';
import type { PublisherDirectory } from '../publishers/publisher-directory';
import { type AskQuestion, askOnTerminal, confirmRemoval } from './confirm-replace';

interface DatabaseValues {
  store: string;
  databaseUrl?: string;
  schema?: string;
}

interface RemovalValues extends DatabaseValues {
  yes?: boolean;
}

interface TokenCreateValues extends DatabaseValues {
  scope: string;
  expiresInDays?: string;
  note?: string;
}

function addDatabaseOptions(command: Command): Command {
  return command
    .option(
      '--store <dir>',
      'store folder whose embedded database (<store>/database) is used',
      'marketplace-store',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL connection string (else AGENTPLUG_DATABASE_URL; else the embedded one)',
    )
    .option('--schema <name>', 'database schema (default agentplug)');
}

function parseDays(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (value.trim() === '' || !Number.isFinite(days) || days <= 0 || days > 3650) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--expires-in-days must be a number of days from 1 to 3650, not "${value}"`,
    );
  }
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000);
}

async function withDirectory<T>(
  values: DatabaseValues,
  work: (directory: PublisherDirectory) => Promise<T>,
): Promise<T> {
  const url = values.databaseUrl ?? process.env.AGENTPLUG_DATABASE_URL;
  if (url !== undefined && url !== '' && !/^postgres(ql)?:\/\//.test(url)) {
    throw new PluginError('INVALID_ARGUMENT', '--database-url must be a postgres:// connection string');
  }
  const { openPublisherDirectory } = await import('@agentplug/marketplace');
  const opened = await openPublisherDirectory({
    storeDirectory: resolve(values.store),
    databaseUrl: url === '' ? undefined : url,
    schema: values.schema,
  });
  try {
    return await work(opened.directory);
  } finally {
    await opened.close();
  }
}

/**
 * Adds the operator's commands: `publisher add|grant|revoke|list`, `publisher token create|revoke`
 * and `audit`, each on the marketplace's database (the embedded one in `--store`, or `--database-url`).
 * Every change is written to the audit log as the operator.
 */
export function addPublisherCommands(
  parent: Command,
  options: { commandPath: string; print: (text: string) => void; ask?: AskQuestion },
): void {
  const { print } = options;
  const ask = options.ask ?? askOnTerminal;
  const actor = async () => (await import('@agentplug/marketplace')).operatorActor();
  const publisher = parent
    .command('publisher')
    .description('publisher accounts, their namespaces and tokens (operator commands)')
    .addHelpText(
      'after',
      `
Examples:
  $ ${options.commandPath} publisher add acme
  $ ${options.commandPath} publisher grant acme com.acme
  $ ${options.commandPath} publisher token create acme --scope publish,yank --expires-in-days 90
  $ ${options.commandPath} publisher list

With the embedded database, run these while the server is stopped (one process at a time);
with PostgreSQL, any time.`,
    );
  addDatabaseOptions(publisher.command('add <name>').description('create a publisher account')).action(
    async (name: string, values: DatabaseValues) => {
      await withDirectory(values, async (directory) => directory.addPublisher(name, await actor()));
      print(`publisher ${name} added\n`);
    },
  );
  addDatabaseOptions(
    publisher
      .command('grant <name> <namespace>')
      .description('let a publisher publish <namespace> and <namespace>.*'),
  ).action(async (name: string, namespace: string, values: DatabaseValues) => {
    await withDirectory(values, async (directory) =>
      directory.grantNamespace(name, namespace, await actor()),
    );
    print(`${name} now owns ${namespace} (and ${namespace}.*)\n`);
  });
  addDatabaseOptions(
    publisher
      .command('revoke <name> <namespace>')
      .description('take a namespace back from a publisher (asks first)')
      .option('-y, --yes', 'revoke without asking'),
  ).action(async (name: string, namespace: string, values: RemovalValues) => {
    await confirmRemoval(`take ${namespace} back from ${name}`, { yes: values.yes, ask });
    await withDirectory(values, async (directory) =>
      directory.revokeNamespace(name, namespace, await actor()),
    );
    print(`${name} no longer owns ${namespace}\n`);
  });
  addDatabaseOptions(
    publisher.command('list').description('publishers, namespaces and tokens, as JSON'),
  ).action(async (values: DatabaseValues) => {
    const publishers = await withDirectory(values, (directory) => directory.listPublishers());
    print(`${JSON.stringify(toSnakeCaseKeys(publishers), null, 2)}\n`);
  });
  const token = publisher.command('token').description("create or revoke a publisher's API tokens");
  addDatabaseOptions(
    token
      .command('create <name>')
      .description('make a token (printed once; only its hash is kept)')
      .requiredOption('--scope <scopes>', 'comma-separated: publish, yank, rate')
      .option('--expires-in-days <days>', 'the token stops working after this many days')
      .option('--note <text>', 'what the token is for (shown in publisher list)'),
  ).action(async (name: string, values: TokenCreateValues) => {
    const expiresAt = parseDays(values.expiresInDays);
    const created = await withDirectory(values, async (directory) =>
      directory.createToken(
        name,
        {
          // Checked by the directory (INVALID_ARGUMENT for an unknown scope).
          scopes: values.scope.split(',').map((scope) => scope.trim()) as TokenScope[],
          ...(expiresAt === undefined ? {} : { expiresAt }),
          ...(values.note === undefined ? {} : { note: values.note }),
        },
        await actor(),
      ),
    );
    print(`${JSON.stringify({ id: created.id, token: created.token })}\n`);
  });
  addDatabaseOptions(
    token
      .command('revoke <tokenId>')
      .description('stop a token from working (asks first)')
      .option('-y, --yes', 'revoke without asking'),
  ).action(async (tokenId: string, values: RemovalValues) => {
    await confirmRemoval(`revoke token ${tokenId}`, { yes: values.yes, ask });
    await withDirectory(values, async (directory) => directory.revokeToken(tokenId, await actor()));
    print(`token ${tokenId} revoked\n`);
  });
  addDatabaseOptions(
    parent
      .command('audit')
      .description('the audit log, newest first, one JSON object a line')
      .option('--limit <n>', 'entries to print (1 to 10000)', '100'),
  ).action(async (values: DatabaseValues & { limit: string }) => {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        `--limit must be an integer from 1 to 10000, not "${values.limit}"`,
      );
    }
    const entries = await withDirectory(values, (directory) => directory.readAudit({ limit }));
    for (const entry of entries) print(`${JSON.stringify(toSnakeCaseKeys(entry))}\n`);
  });
}
