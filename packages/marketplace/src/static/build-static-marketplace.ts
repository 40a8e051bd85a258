import { copyFile, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import { type ExtractionLimits, writeFileAtomic } from '@agentplug/registry-client';
import {
  ARCHIVES_PATH,
  createSearchFile,
  formatArchiveName,
  type IndexPluginEntry,
  resolvePrivateKey,
  SEARCH_FILE_PATH,
  type SigningKey,
  TIMESTAMP_PATH,
} from '@agentplug/registry-client/protocol';
import { assertListable } from '../publish/check-listable';
import { createDefaultValidator } from '../publish/default-validator';
import { type ArchiveInspection, inspectArchive } from '../publish/inspect-archive';
import { enforceRiskPolicy, type RiskPolicy } from '../publish/risk-policy';
import type { MetadataServiceOptions } from '../service/marketplace-service';
import { type MetadataPublisher, openMetadataPublisher } from '../service/metadata-publisher';
import { createVersionReport, type VersionReport } from '../service/version-report';
import { createKeySigner, type MarketplaceSigner, toMarketplaceSigner } from '../signing/marketplace-signer';
import { addToCatalog, type Catalog } from '../store/catalog';
import { createFolderStore } from '../store/folder-store';
import { writeStaticCatalog } from '../web/static-catalog';
import { refuseKeysInOutput } from './refuse-keys-in-output';

/** Options for {@link buildStaticMarketplace}. */
export interface BuildStaticMarketplaceOptions extends RiskPolicy {
  /** A folder of `.tgz` plugin archives (any names; each is named by its plugin.json in the output). */
  archivesDirectory: string;
  /** Where `v2/` (the signed metadata) and `archives/` are written; serve this folder from any static host. */
  outputDirectory: string;
  signingKey: SigningKey;
  /** Validates each archive; default a new `@agentplug/validator` PluginValidator. Pass `false` to skip. */
  validator?: PluginValidatorLike | false;
  extractionLimits?: ExtractionLimits;
  /** The signing time (tests). Default now. */
  now?: Date;
  /**
   * Protocol v2 keys and lifetimes; by default `signingKey` holds every role (root 1 of 1). The
   * static timestamp lives 24 hours by default: rebuild (or re-sign) at least that often.
   */
  metadata?: MetadataServiceOptions;
  /**
   * The URL the output will be served at: when given, the web catalog is written too (pages, a
   * search file, assets), its install commands naming this URL.
   */
  publicUrl?: string;
}

/** What {@link buildStaticMarketplace} wrote. */
export interface BuildStaticMarketplaceResult {
  /** The timestamp written (`v2/timestamp.json`): what clients fetch first. */
  timestampPath: string;
  /** The snapshot version signed (one more than the existing output's, or 1). */
  version: number;
  plugins: number;
  versions: number;
  /** When the v2 timestamp written expires: the marketplace must be rebuilt before then. */
  timestampExpires: string;
  /** Web catalog pages written (0 without `publicUrl`). */
  catalogPages: number;
}

// The catalog's install commands show this URL: only http(s), with a trailing slash.
function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PluginError('INVALID_ARGUMENT', `publicUrl ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PluginError('INVALID_ARGUMENT', `publicUrl must be http(s), not ${url.protocol}`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** When each archive was first published, by sha256, from the previous build's signed targets. */
function publishedAtOf(previous: Catalog): Map<string, string> {
  const publishedAt = new Map<string, string>();
  for (const entry of Object.values(previous)) {
    for (const version of Object.values(entry.versions))
      publishedAt.set(version.sha256, version.published_at);
  }
  return publishedAt;
}

/**
 * Turns a folder of archives into the static marketplace layout (the signed v2 metadata under
 * `v2/`, a search file, and `archives/<plugin_id>-<version>.tgz`), which any file host can serve.
 * A rebuild re-signs only the plugins whose content changed, and a new snapshot and timestamp.
 * Refuses to start when the output folder already holds key material, since all of it is served.
 * @throws PluginError SECRET_DETECTED, VALIDATION_FAILED, ARCHIVE_UNSAFE, MANIFEST_INVALID, INVALID_ARGUMENT (two archives of one version)
 * @example
 * await buildStaticMarketplace({ archivesDirectory: './dist-plugins', outputDirectory: './site', signingKey });
 */
export async function buildStaticMarketplace(
  options: BuildStaticMarketplaceOptions,
): Promise<BuildStaticMarketplaceResult> {
  // Checked first, so a bad URL fails before anything is written.
  const marketplaceUrl = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
  await refuseKeysInOutput(
    options.outputDirectory,
    resolvePrivateKey(options.signingKey).key.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  );
  const validator =
    options.validator === false ? undefined : (options.validator ?? (await createDefaultValidator()));
  const names = (await readdir(options.archivesDirectory)).filter((name) => name.endsWith('.tgz')).sort();
  const now = options.now ?? new Date();
  // Every archive is checked before anything is written: a refused build leaves the output as it was.
  const inspected: { inspection: ArchiveInspection; path: string }[] = [];
  let checked: Catalog = {};
  const reports = new Map<string, VersionReport>();
  for (const name of names) {
    const path = join(options.archivesDirectory, name);
    const inspection = await inspectArchive(await readFile(path), {
      validator,
      extractionLimits: options.extractionLimits,
    });
    enforceRiskPolicy(inspection, options);
    const { plugin_id: pluginId, version } = inspection.manifest;
    if (checked[pluginId]?.versions[version] !== undefined) {
      throw new PluginError('INVALID_ARGUMENT', `${name} repeats ${pluginId} ${version}`, {
        details: { pluginId, version },
      });
    }
    checked = addToCatalog(checked, inspection, now.toISOString());
    assertListable(checked[pluginId] as IndexPluginEntry);
    reports.set(`${pluginId}@${version}`, createVersionReport(inspection));
    inspected.push({ inspection, path });
  }
  const timestampLifetimeMs = options.metadata?.timestampLifetimeMs ?? 24 * 60 * 60 * 1000;
  const store = await createFolderStore(options.outputDirectory);
  const defaultSigner = createKeySigner(options.signingKey);
  const signersOf = (keys: readonly (SigningKey | MarketplaceSigner)[] | undefined): MarketplaceSigner[] =>
    keys === undefined ? [defaultSigner] : keys.map(toMarketplaceSigner);
  const rootSigner = options.metadata?.rootSigner;
  const publisher: MetadataPublisher = await openMetadataPublisher({
    store,
    signers: {
      targets: signersOf(options.metadata?.signers?.targets),
      snapshot: signersOf(options.metadata?.signers?.snapshot),
      timestamp: signersOf(options.metadata?.signers?.timestamp),
    },
    rootSigner: rootSigner === false ? undefined : toMarketplaceSigner(rootSigner ?? options.signingKey),
    lifetimes: {
      timestampMs: timestampLifetimeMs,
      ...(options.metadata?.snapshotLifetimeMs === undefined
        ? {}
        : { snapshotMs: options.metadata.snapshotLifetimeMs }),
    },
    now: () => now,
  });
  // An archive built before keeps its publication time (read from the previous build's signed
  // targets), so an unchanged plugin's targets stay as signed.
  const previousPublishedAt = publishedAtOf(await publisher.readCatalog());
  let catalog: Catalog = {};
  const copies: { from: string; to: string }[] = [];
  for (const { inspection, path } of inspected) {
    catalog = addToCatalog(
      catalog,
      inspection,
      previousPublishedAt.get(inspection.sha256) ?? now.toISOString(),
    );
    copies.push({
      from: path,
      to: formatArchiveName(inspection.manifest.plugin_id, inspection.manifest.version),
    });
  }
  const archivesFolder = join(options.outputDirectory, ARCHIVES_PATH);
  await mkdir(archivesFolder, { recursive: true });
  for (const copy of copies) {
    const temporary = join(archivesFolder, `.${copy.to}.${process.pid}.tmp`);
    await copyFile(copy.from, temporary);
    await rename(temporary, join(archivesFolder, copy.to));
  }
  // Only plugins whose content differs from their signed targets are re-signed; gone ones leave the tree.
  await publisher.publish(catalog, undefined, { removeMissing: true });
  // A static host has no search endpoint: clients rank with this unsigned file, then read signed targets.
  await writeFileAtomic(join(options.outputDirectory, SEARCH_FILE_PATH), createSearchFile(catalog));
  let catalogPages = 0;
  if (marketplaceUrl !== undefined) {
    ({ pages: catalogPages } = await writeStaticCatalog({
      outputDirectory: options.outputDirectory,
      plugins: catalog,
      reports,
      site: { marketplaceUrl, publicKey: defaultSigner.publicKey, keyId: defaultSigner.keyId },
    }));
  }
  return {
    timestampExpires: new Date(now.getTime() + timestampLifetimeMs).toISOString(),
    timestampPath: join(options.outputDirectory, TIMESTAMP_PATH),
    version: publisher.snapshotVersion,
    plugins: Object.keys(catalog).length,
    versions: Object.values(catalog).reduce((total, entry) => total + Object.keys(entry.versions).length, 0),
    catalogPages,
  };
}
