import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isPathInside, PluginError, parseUntrustedJson, pathExists } from '@agentplug/models';
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
import { createCommandSigner } from '../signing/command-signer';
import { toMarketplaceSigner } from '../signing/marketplace-signer';

/** Where a key file was kept by default before it moved out of the store: `serve` refuses it there. */
const IN_STORE_KEY_FILE_NAME = 'signing-key.json';

/**
 * The default key file of a store: beside the store folder, never inside it, since a store folder
 * can be served as it is by a static host. `./store` → `./store.signing-key.json`.
 */
export function defaultKeyFileFor(storeDirectory: string): string {
  const store = resolve(storeDirectory);
  return join(dirname(store), `${basename(store)}.${IN_STORE_KEY_FILE_NAME}`);
}

/**
 * Refuses a key file inside the store, and a store that still holds the key where an older version
 * kept it, with the command that moves it out.
 * @throws PluginError INVALID_ARGUMENT
 */
async function checkKeyFileLocation(keyFile: string, storeDirectory: string): Promise<void> {
  if (isPathInside(storeDirectory, keyFile)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `the signing key ${keyFile} is inside the store ${storeDirectory}, which a static host may serve to anyone; keep it outside (default ${defaultKeyFileFor(storeDirectory)})`,
      { details: { keyFile, storeDirectory } },
    );
  }
  const old = join(storeDirectory, IN_STORE_KEY_FILE_NAME);
  if (await pathExists(old, { followLinks: true })) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `${old} is a signing key inside the store; move it out (mv ${old} ${defaultKeyFileFor(storeDirectory)}) or pass --key-file with a path outside the store`,
      { details: { keyFile: old, storeDirectory } },
    );
  }
}

/** Options of {@link runMarketplaceServer}: the server's, with the key read from a file when not given. */
export interface RunMarketplaceServerOptions extends Omit<MarketplaceServerOptions, 'signingKey'> {
  /** A key; default read from `keyFile`. */
  signingKey?: MarketplaceServerOptions['signingKey'];
  /** A JSON key file (`{ keyId, publicKey, privateKey }`), outside the store. Default {@link defaultKeyFileFor}, created when missing. */
  keyFile?: string;
  /**
   * A shell command that signs the v2 metadata (timestamp, snapshot, targets, and root 1 of a new
   * store) with a key held elsewhere: it reads the bytes to sign on standard input and prints the
   * ed25519 signature in base64 (`createCommandSigner`); no key file is read or made.
   */
  signerCommand?: string;
  /** The public key of the signer command's key (base64 SPKI DER or PEM). Required with `signerCommand`. */
  signerPublicKey?: string;
  /** Longest wait for one signature from the signer command. Default 10 s. */
  signerTimeoutMs?: number;
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
    const pair = parseUntrustedJson(text, {
      code: 'INVALID_ARGUMENT',
      what: keyFile,
      maxBytes: 64 * 1024,
    }) as SigningKeyPair;
    const resolved = resolvePrivateKey(pair);
    return { ...pair, keyId: resolved.keyId };
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `${keyFile} is not a key file written by keygen`, {
      cause: error,
    });
  }
}

// The key file of a store, checked to be outside it: read, or created when missing.
async function readKeyFileFor(options: RunMarketplaceServerOptions): Promise<SigningKeyPair> {
  const keyFile = resolve(options.keyFile ?? defaultKeyFileFor(options.storeDirectory));
  await checkKeyFileLocation(keyFile, resolve(options.storeDirectory));
  return loadOrCreateKeyFile(keyFile);
}

/**
 * Starts the marketplace server the way the `agentplug-marketplace serve` command does: reads (or
 * creates) the signing key outside the store, listens, prints the URL and the public key, and closes on SIGINT/SIGTERM.
 * @throws PluginError INVALID_ARGUMENT (a key file inside the store, or not a key file), NETWORK_ERROR
 */
export async function runMarketplaceServer(
  options: RunMarketplaceServerOptions,
): Promise<RunningMarketplace> {
  const log = options.log ?? ((line: string) => console.log(line));
  let signingKey = options.signingKey;
  const metadata = options.metadata;
  let publicKey: string;
  let keyId: string;
  if (options.signerCommand !== undefined) {
    if (options.signerPublicKey === undefined) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        'a signer command needs the public key of the key it signs with (--signer-public-key)',
      );
    }
    const signer = createCommandSigner({
      command: options.signerCommand,
      publicKey: options.signerPublicKey,
      ...(options.signerTimeoutMs === undefined ? {} : { timeoutMs: options.signerTimeoutMs }),
    });
    // The command signs every online role (and root 1 of a new store): no key file is read or made.
    signingKey = signer;
    publicKey = signer.publicKey;
    keyId = signer.keyId;
  } else if (signingKey === undefined) {
    const pair = await readKeyFileFor(options);
    signingKey = pair;
    publicKey = pair.publicKey;
    keyId = pair.keyId;
  } else {
    const signer = toMarketplaceSigner(signingKey);
    keyId = signer.keyId;
    publicKey = signer.publicKey;
  }
  const server = await createMarketplaceServer({
    ...options,
    signingKey,
    ...(metadata === undefined ? {} : { metadata }),
  });
  log(`agentplug marketplace listening on ${server.url}`);
  log(`public key (trustedKeys): ${publicKey}`);
  log(`key id: ${keyId}`);
  if (options.signerCommand !== undefined) log(`metadata signed by the command: ${options.signerCommand}`);
  log(`web catalog: ${server.catalogUrl}`);
  const engine = options.database?.engine ?? 'folder';
  log(`store: ${engine === 'folder' ? `folder ${options.storeDirectory}` : `${engine} database`}`);
  const publishing: string[] = [];
  if (server.publishers !== undefined) publishing.push('publisher tokens (namespaces)');
  if (options.publishToken !== undefined) publishing.push('operator bearer token');
  log(
    `publishing: ${publishing.length === 0 ? 'disabled (no token)' : `enabled (${publishing.join(', ')})`}`,
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
