import { createPublicKey } from 'node:crypto';
import { PluginError, parseUntrustedJson } from '@agentplug/models';
import {
  canonicalizeJson,
  checkTargetsBody,
  createRootMetadata,
  formatRootPath,
  formatTargetsPath,
  type IndexPluginEntry,
  type MetadataLifetimes,
  MetadataRepository,
  type MetadataSigners,
  type RoleName,
  resolvePrivateKey,
  type SigningKey,
  type TargetsContent,
  type TargetsVersionEntry,
  verifyTrustedRoot,
} from '@agentplug/registry-client/protocol';
import type { Catalog } from '../store/catalog';
import type { MarketplaceStore } from '../store/marketplace-store';

/** Options of {@link openMetadataPublisher}. */
export interface MetadataPublisherOptions {
  store: MarketplaceStore;
  /** The keys of the online roles; each must be listed for its role by the newest stored root. */
  signers: MetadataSigners;
  /** Signs root version 1 when the store holds no root yet (a one-key marketplace). */
  rootSigner: SigningKey | undefined;
  lifetimes?: Partial<MetadataLifetimes>;
  searchEndpoint?: string;
  /** How long a root signed here stays valid. Default one year. */
  rootLifetimeMs?: number;
  /** The signing time. Default now. */
  now?: () => Date;
}

/** Keeps a store's v2 metadata in step with its catalog: the signing half of protocol v2. */
export interface MetadataPublisher {
  /**
   * Signs new targets for the plugins given whose content changed (or every plugin the tree lacks),
   * and a new snapshot and timestamp. With `removeMissing`, plugins not in the catalog leave the tree.
   */
  publish(
    catalog: Catalog,
    changed?: readonly string[],
    options?: { removeMissing?: boolean },
  ): Promise<void>;
  /** Signs a new timestamp (and snapshot when due): what keeps clients from calling the marketplace frozen. */
  renew(): Promise<void>;
  /** Reads the metadata another instance wrote. */
  reload(): Promise<void>;
}

/** The v2 targets content of a catalog entry: search fields and every version (revocations included). */
export function toTargetsContent(entry: IndexPluginEntry): TargetsContent {
  const versions = Object.create(null) as Record<string, TargetsVersionEntry>;
  for (const [version, value] of Object.entries(entry.versions)) versions[version] = { ...value };
  return {
    plugin: {
      name: entry.name,
      description: entry.description,
      plugin_type: entry.plugin_type,
      tags: [...entry.tags],
      author: entry.author,
    },
    versions,
  };
}

async function latestRoot(
  store: MarketplaceStore,
): Promise<{ version: number; bytes: Uint8Array } | undefined> {
  let latest: { version: number; bytes: Uint8Array } | undefined;
  for (let version = 1; ; version += 1) {
    const bytes = await store.readMetadata(formatRootPath(version));
    if (bytes === undefined) return latest;
    latest = { version, bytes };
  }
}

function requireListed(
  root: ReturnType<typeof verifyTrustedRoot>,
  role: RoleName,
  signers: readonly SigningKey[],
): void {
  const listed = new Set(root.body.roles[role].keyids);
  const valid = signers.filter((signer) => listed.has(resolvePrivateKey(signer).keyId)).length;
  if (valid < root.body.roles[role].threshold) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `root version ${root.body.version} needs ${root.body.roles[role].threshold} ${role} key(s); ${valid} of the keys given are listed`,
      { details: { role, rootVersion: root.body.version } },
    );
  }
}

/**
 * Opens the v2 metadata of a store: signs root version 1 with `rootSigner` when there is no root,
 * checks that the online keys are the ones the newest root lists, and reopens the repository.
 * @throws PluginError INVALID_ARGUMENT (keys not listed, no root and no root signer), INDEX_INVALID and INTEGRITY_MISMATCH (damaged stored metadata)
 */
export async function openMetadataPublisher(options: MetadataPublisherOptions): Promise<MetadataPublisher> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  let root = await latestRoot(store);
  if (root === undefined) {
    if (options.rootSigner === undefined) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        `${store.location} holds no v2 root (v2/root/1.json) and no root key was given`,
      );
    }
    const publicOf = (signer: SigningKey): string =>
      createPublicKey(resolvePrivateKey(signer).key)
        .export({ type: 'spki', format: 'der' })
        .toString('base64');
    const created = createRootMetadata({
      version: 1,
      expires: new Date(now().getTime() + (options.rootLifetimeMs ?? 365 * 24 * 60 * 60 * 1000)),
      keys: {
        root: [publicOf(options.rootSigner)],
        targets: options.signers.targets.map(publicOf),
        snapshot: options.signers.snapshot.map(publicOf),
        timestamp: options.signers.timestamp.map(publicOf),
      },
      signers: [options.rootSigner],
    });
    await store.writeMetadata([created.file]);
    root = { version: 1, bytes: created.file.bytes };
  }
  const trusted = verifyTrustedRoot(root.bytes);
  requireListed(trusted, 'targets', options.signers.targets);
  requireListed(trusted, 'snapshot', options.signers.snapshot);
  requireListed(trusted, 'timestamp', options.signers.timestamp);

  const open = () =>
    MetadataRepository.open({
      signers: options.signers,
      lifetimes: options.lifetimes,
      searchEndpoint: options.searchEndpoint,
      read: (path) => store.readMetadata(path),
    });
  let repository = await open();
  // What each plugin's targets said when last signed here: unchanged plugins are not re-signed.
  const signedContent = new Map<string, string>();

  const write = async (files: Parameters<MarketplaceStore['writeMetadata']>[0]): Promise<void> => {
    try {
      await store.writeMetadata(files);
    } catch (error) {
      // The repository moved on in memory; what the store holds is the truth to continue from.
      signedContent.clear();
      repository = await open();
      throw error;
    }
  };

  return {
    async publish(catalog, changed, publishOptions = {}) {
      const ids =
        changed ?? Object.keys(catalog).filter((pluginId) => repository.targetsVersion(pluginId) === 0);
      for (const pluginId of ids) {
        const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
        if (entry === undefined) continue;
        const content = toTargetsContent(entry);
        const text = canonicalizeJson(content);
        const version = repository.targetsVersion(pluginId);
        if (version > 0 && !signedContent.has(pluginId)) {
          const stored = await readSignedContent(store, pluginId, version);
          if (stored !== undefined) signedContent.set(pluginId, stored);
        }
        if (signedContent.get(pluginId) === text && version > 0) continue;
        repository.putTargets(pluginId, content);
        signedContent.set(pluginId, text);
      }
      if (publishOptions.removeMissing === true) {
        for (const pluginId of repository.pluginIds()) {
          if (!Object.hasOwn(catalog, pluginId)) repository.removeTargets(pluginId);
        }
      }
      await write(repository.commit(now()));
    },
    async renew() {
      await write(repository.renew(now()));
    },
    async reload() {
      signedContent.clear();
      repository = await open();
    },
  };
}

/** The canonical content of a plugin's stored targets, to tell whether a catalog entry changed. */
async function readSignedContent(
  store: MarketplaceStore,
  pluginId: string,
  version: number,
): Promise<string | undefined> {
  const bytes = await store.readMetadata(formatTargetsPath(pluginId, version));
  if (bytes === undefined) return undefined;
  const document = parseUntrustedJson(bytes, {
    code: 'INDEX_INVALID',
    what: `the stored targets of ${pluginId}`,
  });
  const signed =
    typeof document === 'object' && document !== null && Object.hasOwn(document, 'signed')
      ? (document as { signed: unknown }).signed
      : undefined;
  const checked = checkTargetsBody(signed);
  if (!checked.success) return undefined;
  return canonicalizeJson({ plugin: checked.data.plugin, versions: checked.data.versions });
}
