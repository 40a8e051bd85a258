import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PluginError, type RiskLevel } from '@agentplug/models';
import { generateSigningKeyPair } from '@agentplug/registry-client';
import { buildStaticMarketplace } from './build-static-marketplace';
import { loadOrCreateKeyFile, RISK_LEVELS, runMarketplaceServer } from './run-marketplace-server';

const USAGE = `agentplug-marketplace <command>

  serve --store DIR [--host 127.0.0.1] [--port 8080] [--key FILE] [--token TOKEN | env AGENTPLUG_TOKEN]
        [--max-risk-level low|medium|high|critical] [--min-security-score N]
  build --archives DIR --out DIR --key FILE
  keygen                      print a new ed25519 key pair as JSON
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      store: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      key: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'max-risk-level': { type: 'string' },
      'min-security-score': { type: 'string' },
      archives: { type: 'string' },
      out: { type: 'string' },
    },
    allowPositionals: false,
  });
  if (command === 'keygen') {
    console.log(JSON.stringify(generateSigningKeyPair(), null, 2));
    return;
  }
  const maxRiskLevel = values['max-risk-level'] as RiskLevel | undefined;
  if (maxRiskLevel !== undefined && !RISK_LEVELS.includes(maxRiskLevel)) {
    throw new PluginError('INVALID_ARGUMENT', `--max-risk-level must be one of ${RISK_LEVELS.join(', ')}`);
  }
  const minSecurityScore =
    values['min-security-score'] === undefined ? undefined : Number(values['min-security-score']);
  if (command === 'serve') {
    if (values.store === undefined) throw new PluginError('INVALID_ARGUMENT', '--store DIR is required');
    const token =
      values.token ??
      (values['token-file'] === undefined
        ? undefined
        : (await readFile(values['token-file'], 'utf8')).trim()) ??
      process.env.AGENTPLUG_TOKEN;
    await runMarketplaceServer({
      storeDirectory: values.store,
      host: values.host,
      port: values.port === undefined ? 8080 : Number(values.port),
      keyFile: values.key,
      publishToken: token,
      maxRiskLevel,
      minSecurityScore,
    });
    return;
  }
  if (command === 'build') {
    if (values.archives === undefined || values.out === undefined || values.key === undefined) {
      throw new PluginError('INVALID_ARGUMENT', 'build needs --archives DIR --out DIR --key FILE');
    }
    const result = await buildStaticMarketplace({
      archivesDirectory: values.archives,
      outputDirectory: values.out,
      signingKey: await loadOrCreateKeyFile(values.key),
      maxRiskLevel,
      minSecurityScore,
    });
    console.log(JSON.stringify(result));
    return;
  }
  process.stdout.write(USAGE);
  if (command !== undefined && command !== 'help' && command !== '--help') process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (PluginError.is(error)) {
    console.error(`${error.code}: ${error.message}\n${error.hint}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
