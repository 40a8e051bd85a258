import { createPublicKey } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import {
  generateSigningKeyPair,
  resolvePrivateKey,
  type SigningKeyPair,
} from '@agentplug/registry-client/protocol';
import {
  createMarketplaceServer,
  type MarketplaceServer,
  type MarketplaceServerOptions,
} from '../create-marketplace-server';

/** The key file written by `agentplug-marketplace keygen` and by a first `serve` without `--key`. */
export const KEY_FILE_NAME = 'signing-key.json';

/** Options of {@link runMarketplaceServer}: the server's, with the key read from a file when not given. */
export interface RunMarketplaceServerOptions extends Omit<MarketplaceServerOptions, 'signingKey'> {
  /** A key; default read from `keyFile`. */
  signingKey?: MarketplaceServerOptions['signingKey'];
  /** A JSON key file (`{ keyId, publicKey, privateKey }`). Default `<store>/signing-key.json`, created when missing. */
  keyFile?: string;
  /** Where to print the startup lines. Default console.log. Pass `() => {}` for silence. */
  log?: (line: string) => void;
  /** Close on SIGINT and SIGTERM. Default true. */
  handleSignals?: boolean;
}

/** A running server and the public key clients must trust. */
export interface RunningMarketplace {
  server: MarketplaceServer;
  publicKey: string;
  keyId: string;
}

/**
 * Reads a key file, or creates one (mode 0600) with a new key pair when it does not exist.
 * @throws PluginError INVALID_ARGUMENT when the file exists but is not a key file
 */
export async function loadOrCreateKeyFile(keyFile: string): Promise<SigningKeyPair> {
  let text: string | undefined;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PluginError('INVALID_ARGUMENT', `cannot read the key file ${keyFile}`, { cause: error });
    }
  }
  if (text === undefined) {
    const pair = generateSigningKeyPair();
    await mkdir(join(keyFile, '..'), { recursive: true });
    await writeFile(keyFile, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(keyFile, 0o600);
    return pair;
  }
  try {
    const pair = JSON.parse(text) as SigningKeyPair;
    const resolved = resolvePrivateKey(pair);
    return { ...pair, keyId: resolved.keyId };
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `${keyFile} is not a key file written by keygen`, {
      cause: error,
    });
  }
}

/**
 * Starts the marketplace server the way the `agentplug-marketplace serve` command does: reads (or
 * creates) the signing key, listens, prints the URL and the public key, and closes on SIGINT/SIGTERM.
 * @throws PluginError INVALID_ARGUMENT, NETWORK_ERROR
 */
export async function runMarketplaceServer(
  options: RunMarketplaceServerOptions,
): Promise<RunningMarketplace> {
  const log = options.log ?? ((line: string) => console.log(line));
  let signingKey = options.signingKey;
  let publicKey: string;
  let keyId: string;
  if (signingKey === undefined) {
    const pair = await loadOrCreateKeyFile(options.keyFile ?? join(options.storeDirectory, KEY_FILE_NAME));
    signingKey = pair;
    publicKey = pair.publicKey;
    keyId = pair.keyId;
  } else {
    const resolved = resolvePrivateKey(signingKey);
    keyId = resolved.keyId;
    publicKey = createPublicKey(resolved.key).export({ type: 'spki', format: 'der' }).toString('base64');
  }
  const server = await createMarketplaceServer({ ...options, signingKey });
  log(`agentplug marketplace listening on ${server.url}`);
  log(`index public key (trustedKeys): ${publicKey}`);
  log(`key id: ${keyId}`);
  log(`web catalog: ${server.catalogUrl}`);
  log(
    options.publishToken === undefined
      ? 'publishing: disabled (no token)'
      : 'publishing: enabled (bearer token)',
  );
  if (options.handleSignals ?? true) {
    const stop = (): void => {
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return { server, publicKey, keyId };
}
