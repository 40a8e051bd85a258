import { createPublicKey } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginValidatorLike, parseUntrustedJson } from '@agentplug/models';
import { type ExtractionLimits, writeFileAtomic } from '@agentplug/registry-client';
import {
  ARCHIVES_PATH,
  createSearchFile,
  formatArchiveName,
  INDEX_PATH,
  INDEX_TYPE,
  type IndexPluginEntry,
  MARKETPLACE_PROTOCOL_VERSION,
  resolvePrivateKey,
  SEARCH_FILE_PATH,
  type SignedIndex,
  type SigningKey,
  serializeSignedIndex,
  signIndex,
} from '@agentplug/registry-client/protocol';
import { assertListable } from '../publish/check-listable';
import { createDefaultValidator } from '../publish/default-validator';
import { inspectArchive } from '../publish/inspect-archive';
import { enforceRiskPolicy, type RiskPolicy } from '../publish/risk-policy';
import type { MetadataServiceOptions } from '../service/marketplace-service';
import { openMetadataPublisher } from '../service/metadata-publisher';
import { createVersionReport, type VersionReport } from '../service/version-report';
import { addToCatalog, type Catalog } from '../store/catalog';
import { createFolderStore } from '../store/folder-store';
import { writeStaticCatalog } from '../web/static-catalog';
import { refuseKeysInOutput } from './refuse-keys-in-output';

/** Options for {@link buildStaticMarketplace}. */
export interface BuildStaticMarketplaceOptions extends RiskPolicy {
  /** A folder of `.tgz` plugin archives (any names; each is named by its plugin.json in the output). */
  archivesDirectory: string;
  /** Where `index.json` and `archives/` are written; serve this folder from any static host. */
  outputDirectory: string;
  signingKey: SigningKey;
  /** Validates each archive; default a new `@agentplug/validator` PluginValidator. Pass `false` to skip. */
  validator?: PluginValidatorLike | false;
  /** How long the index stays valid. Default 30 days: rebuild (re-sign) before then. */
  indexLifetimeMs?: number;
  /** The index version; default one more than the existing output's, or 1. */
  version?: number;
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
  indexPath: string;
  version: number;
  expires: string;
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

/** The previous build's index (its version, and when each archive was first published), if readable. */
async function readPrevious(
  indexPath: string,
): Promise<{ version: number; publishedAt: Map<string, string> }> {
  const publishedAt = new Map<string, string>();
  try {
    const previous = parseUntrustedJson(await readFile(indexPath), {
      code: 'INVALID_ARGUMENT',
      what: indexPath,
      maxBytes: 1024 * 1024 * 1024,
    }) as SignedIndex;
    for (const entry of Object.values(previous.signed?.plugins ?? {})) {
      for (const version of Object.values(entry?.versions ?? {})) {
        if (typeof version?.sha256 === 'string' && typeof version.published_at === 'string') {
          publishedAt.set(version.sha256, version.published_at);
        }
      }
    }
    return {
      version: typeof previous.signed?.version === 'number' ? previous.signed.version : 0,
      publishedAt,
    };
  } catch {
    return { version: 0, publishedAt };
  }
}

/**
 * Turns a folder of archives into the static marketplace layout (`index.json` signed, and
 * `archives/<plugin_id>-<version>.tgz`), which any file host can serve.
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
  const previous = await readPrevious(join(options.outputDirectory, INDEX_PATH));
  let catalog: Catalog = {};
  const copies: { from: string; to: string }[] = [];
  const reports = new Map<string, VersionReport>();
  for (const name of names) {
    const path = join(options.archivesDirectory, name);
    const inspection = await inspectArchive(await readFile(path), {
      validator,
      extractionLimits: options.extractionLimits,
    });
    enforceRiskPolicy(inspection, options);
    const { plugin_id: pluginId, version } = inspection.manifest;
    if (catalog[pluginId]?.versions[version] !== undefined) {
      throw new PluginError('INVALID_ARGUMENT', `${name} repeats ${pluginId} ${version}`, {
        details: { pluginId, version },
      });
    }
    // An archive built before keeps its publication time, so an unchanged plugin's metadata stays as signed.
    catalog = addToCatalog(
      catalog,
      inspection,
      previous.publishedAt.get(inspection.sha256) ?? now.toISOString(),
    );
    assertListable(catalog[pluginId] as IndexPluginEntry);
    reports.set(`${pluginId}@${version}`, createVersionReport(inspection));
    copies.push({ from: path, to: formatArchiveName(pluginId, version) });
  }
  const archivesFolder = join(options.outputDirectory, ARCHIVES_PATH);
  await mkdir(archivesFolder, { recursive: true });
  for (const copy of copies) {
    const temporary = join(archivesFolder, `.${copy.to}.${process.pid}.tmp`);
    await copyFile(copy.from, temporary);
    await rename(temporary, join(archivesFolder, copy.to));
  }
  const indexPath = join(options.outputDirectory, INDEX_PATH);
  const version = options.version ?? previous.version + 1;
  const expires = new Date(
    now.getTime() + (options.indexLifetimeMs ?? 30 * 24 * 60 * 60 * 1000),
  ).toISOString();
  const signed = signIndex(
    {
      _type: INDEX_TYPE,
      protocol_version: MARKETPLACE_PROTOCOL_VERSION,
      version,
      expires,
      signed_at: now.toISOString(),
      plugins: catalog,
    },
    options.signingKey,
  );
  await writeFileAtomic(indexPath, serializeSignedIndex(signed));
  // Protocol v2 beside v1, in the same folder: only plugins whose content changed are re-signed.
  const timestampLifetimeMs = options.metadata?.timestampLifetimeMs ?? 24 * 60 * 60 * 1000;
  const store = await createFolderStore(options.outputDirectory);
  const rootSigner = options.metadata?.rootSigner;
  const publisher = await openMetadataPublisher({
    store,
    signers: options.metadata?.signers ?? {
      targets: [options.signingKey],
      snapshot: [options.signingKey],
      timestamp: [options.signingKey],
    },
    rootSigner: rootSigner === false ? undefined : (rootSigner ?? options.signingKey),
    lifetimes: {
      timestampMs: timestampLifetimeMs,
      ...(options.metadata?.snapshotLifetimeMs === undefined
        ? {}
        : { snapshotMs: options.metadata.snapshotLifetimeMs }),
    },
    now: () => now,
  });
  await publisher.publish(catalog, Object.keys(catalog), { removeMissing: true });
  // A static host has no search endpoint: clients rank with this unsigned file, then read signed targets.
  await writeFileAtomic(join(options.outputDirectory, SEARCH_FILE_PATH), createSearchFile(catalog));
  let catalogPages = 0;
  if (marketplaceUrl !== undefined) {
    const key = resolvePrivateKey(options.signingKey);
    ({ pages: catalogPages } = await writeStaticCatalog({
      outputDirectory: options.outputDirectory,
      plugins: signed.signed.plugins,
      reports,
      site: {
        marketplaceUrl,
        publicKey: createPublicKey(key.key).export({ type: 'spki', format: 'der' }).toString('base64'),
        keyId: key.keyId,
      },
    }));
  }
  return {
    timestampExpires: new Date(now.getTime() + timestampLifetimeMs).toISOString(),
    indexPath,
    version,
    expires,
    plugins: Object.keys(catalog).length,
    versions: Object.values(catalog).reduce((total, entry) => total + Object.keys(entry.versions).length, 0),
    catalogPages,
  };
}
