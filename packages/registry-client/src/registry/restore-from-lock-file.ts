import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OPERATOR_CONFIG_FOLDER_NAME, PluginError, type PluginValidatorLike } from '@agentplug/models';
import { type ExtractionLimits, extractArchive } from '../archive/extract-archive';
import { packPlugin } from '../archive/pack-plugin';
import { isProtocolPluginId } from '../protocol/identifiers';
import type { IndexVersionEntry, SignedIndexBody } from '../protocol/marketplace-index';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import type { DownloadRecord } from './download-plugin';
import { LOCK_FILE_NAME, type LockFileEntry, readLockFileDocument } from './lock-file';
import { type OperatorConfigPlan, planOperatorConfig } from './operator-config';
import { findEscalatedPermissions } from './permissions';
import type { PluginDirectory } from './plugin-directory';
import { digestFolder } from './tree-digest';

/** What {@link restoreFromLockFile} needs from the registry. */
export interface RestoreContext {
  directory: PluginDirectory;
  validator: PluginValidatorLike;
  extractionLimits: ExtractionLimits;
  validate: boolean;
  /** The locked plugins' verified targets, and the id of the targets key of the current root. */
  readSigned(): Promise<{ body: SignedIndexBody; keyId: string | undefined }>;
  /** Downloads and verifies one signed version into the cache. */
  download(pluginId: string, entry: IndexVersionEntry): Promise<{ path: string; record: DownloadRecord }>;
  /** Asked before anything is replaced or removed (not for folders only created); false declines. */
  confirm?: ((changes: RestoreChanges) => boolean | Promise<boolean>) | undefined;
}

/** What a restore is about to do, for its confirmation. */
export interface RestoreChanges {
  /** Plugins whose folder is missing and will be created. */
  create: { pluginId: string; version: string }[];
  /** Plugins whose folder differs from the lock file and will be replaced. */
  replace: { pluginId: string; version: string }[];
  /** Plugin folders the lock file does not list, to be removed. */
  remove: string[];
}

/** What {@link restoreFromLockFile} did. */
export interface RestoreResult {
  /** Plugins whose folder was written (missing, or different from what the lock file records). */
  installed: { pluginId: string; version: string }[];
  /** Plugins whose folder already held exactly what the lock file records. */
  unchanged: { pluginId: string; version: string }[];
  /** Plugin folders the lock file does not list, removed. */
  removed: string[];
  /** Plugins whose in-place config.json edits were carried into the operator's file. */
  configCarriedOver: string[];
}

/** One plugin made ready: its staged folder, or nothing to do. */
interface PreparedRestore {
  pluginId: string;
  version: string;
  staging: string | undefined;
  operatorConfig: OperatorConfigPlan | undefined;
}

function integrityError(
  pluginId: string,
  entry: LockFileEntry,
  problem: string,
  found: Record<string, unknown> = {},
): PluginError {
  return new PluginError(
    'INTEGRITY_MISMATCH',
    `${pluginId} ${entry.version}: ${problem}; the lock file records sha256 ${entry.sha256}${entry.size === null ? '' : ` and ${entry.size} bytes`}, so nothing was changed`,
    { details: { pluginId, version: entry.version, sha256: entry.sha256, size: entry.size, ...found } },
  );
}

/** Stages a marketplace entry: the signed targets must still vouch for exactly the locked bytes. */
async function stageFromMarketplace(
  pluginId: string,
  entry: LockFileEntry,
  context: RestoreContext,
): Promise<string> {
  const { body, keyId } = await context.readSigned();
  if (entry.key_id !== null && keyId !== entry.key_id) {
    throw new PluginError(
      'SIGNATURE_INVALID',
      `${pluginId} ${entry.version} was locked under the marketplace key ${entry.key_id}, but the marketplace now signs its plugins with ${keyId ?? 'another key'}, so nothing was changed`,
      { details: { pluginId, version: entry.version, lockedKeyId: entry.key_id, keyId } },
    );
  }
  const signed = body.plugins[pluginId]?.versions[entry.version];
  if (signed === undefined) {
    throw new PluginError('NOT_FOUND', `the marketplace no longer has ${pluginId} ${entry.version}`, {
      details: { pluginId, version: entry.version },
    });
  }
  if (signed.sha256 !== entry.sha256 || (entry.size !== null && signed.size !== entry.size)) {
    throw integrityError(
      pluginId,
      entry,
      `the marketplace now signs sha256 ${signed.sha256} (${signed.size} bytes) for this version`,
      { signedSha256: signed.sha256, signedSize: signed.size },
    );
  }
  const { path, record } = await context.download(pluginId, signed);
  const staging = await context.directory.stage(pluginId, path);
  if ((await digestFolder(staging)) !== record.treeDigest) {
    await rm(staging, { recursive: true, force: true });
    throw integrityError(pluginId, entry, `the download in ${path} changed after it was verified`);
  }
  return staging;
}

/** Stages a local entry: the archive or folder at its recorded path must still hash the same. */
async function stageFromDisk(
  pluginId: string,
  entry: LockFileEntry,
  context: RestoreContext,
): Promise<string> {
  const path = entry.source.slice('file:'.length);
  const info = await stat(path).catch((error: unknown) => {
    throw new PluginError('NOT_FOUND', `${pluginId} was installed from ${path}, which is gone`, {
      cause: error,
      details: { pluginId, path },
    });
  });
  let staging: string;
  if (info.isFile()) {
    const archive = await readFile(path);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    if (sha256 !== entry.sha256) throw integrityError(pluginId, entry, `${path} now has sha256 ${sha256}`);
    staging = await context.directory.createStagingPath(pluginId);
    await extractArchive(archive, staging, context.extractionLimits);
  } else {
    staging = await context.directory.stage(pluginId, path);
    // The copy is what installs, so the copy is what is checked.
    const { sha256 } = await packPlugin(staging);
    if (sha256 !== entry.sha256) {
      await rm(staging, { recursive: true, force: true });
      throw integrityError(pluginId, entry, `${path} now packs to sha256 ${sha256}`);
    }
  }
  return staging;
}

async function prepareOne(
  pluginId: string,
  entry: LockFileEntry,
  context: RestoreContext,
  staged: string[],
): Promise<PreparedRestore> {
  const { directory } = context;
  const local = entry.source.startsWith('file:');
  const staging = local
    ? await stageFromDisk(pluginId, entry, context)
    : await stageFromMarketplace(pluginId, entry, context);
  staged.push(staging);
  const manifest = await readExtractedManifest(staging);
  if (manifest.plugin_id !== pluginId || manifest.version !== entry.version) {
    throw integrityError(pluginId, entry, `the archive holds ${manifest.plugin_id} ${manifest.version}`);
  }
  const escalated = findEscalatedPermissions(entry.permissions, manifest.permissions);
  if (Object.keys(escalated).length > 0) {
    throw new PluginError(
      'PERMISSIONS_ESCALATED',
      `${pluginId} ${entry.version} asks for permissions the lock file does not record as accepted: ${JSON.stringify(escalated)}`,
      { details: { pluginId, version: entry.version, escalated } },
    );
  }
  // Marketplace downloads were validated in the cache; a local source is validated here.
  if (context.validate && local) await validatePluginFolder(context.validator, staging, manifest);
  const target = join(directory.path, pluginId);
  const existing = await digestFolder(target).catch(() => undefined);
  if (existing !== undefined && existing === (await digestFolder(staging))) {
    return { pluginId, version: entry.version, staging: undefined, operatorConfig: undefined };
  }
  const operatorConfig = await planOperatorConfig({
    pluginId,
    manifest,
    stagedFolder: staging,
    installedFolder: target,
    previous: entry,
    operatorConfigPath: directory.operatorConfigPath(pluginId),
  });
  return { pluginId, version: entry.version, staging, operatorConfig };
}

/** Plugin folders in the directory that the lock file does not list (folders holding a plugin.json). */
async function findUnlistedPluginFolders(
  pluginDirectory: string,
  listed: ReadonlySet<string>,
): Promise<string[]> {
  const entries = await readdir(pluginDirectory, { withFileTypes: true }).catch(() => []);
  const unlisted: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || listed.has(entry.name)) continue;
    if (entry.name === OPERATOR_CONFIG_FOLDER_NAME || entry.name === 'node_modules') continue;
    const manifest = await stat(join(pluginDirectory, entry.name, 'plugin.json')).catch(() => undefined);
    if (manifest?.isFile()) unlisted.push(entry.name);
  }
  return unlisted.sort();
}

/**
 * Makes a plugin directory match its lock file exactly, or changes nothing: every listed plugin is
 * fetched at its locked version (from the marketplace, whose signed targets must still vouch for the
 * locked sha256 and size under the locked key, or from the local archive or folder it was installed
 * from, which must still hash the same), verified, validated and staged; only when all are ready are
 * the differing folders swapped in and the folders the lock file does not list removed, in one step
 * that is undone on failure. Folders already identical are left alone; the lock file is not written.
 * @throws PluginError INVALID_ARGUMENT (no lock file), DECLINED (confirm said no), INSTALL_LOCKED, NOT_FOUND, INTEGRITY_MISMATCH, SIGNATURE_INVALID, PERMISSIONS_ESCALATED, CONFIG_INVALID, VALIDATION_FAILED, INSTALL_FAILED, and the metadata and download errors
 */
export async function restoreFromLockFile(context: RestoreContext): Promise<RestoreResult> {
  const { directory } = context;
  await directory.ensureRecovered();
  const { lockFile, exists } = await readLockFileDocument(directory.path);
  if (!exists) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `${join(directory.path, LOCK_FILE_NAME)} does not exist: there is nothing to install from`,
      { details: { path: join(directory.path, LOCK_FILE_NAME) } },
    );
  }
  const pluginIds = Object.keys(lockFile.plugins).sort();
  const unlisted = await findUnlistedPluginFolders(directory.path, new Set(pluginIds));
  const releases: (() => Promise<void>)[] = [];
  const staged: string[] = [];
  try {
    for (const name of [...pluginIds, ...unlisted.filter(isProtocolPluginId)].sort()) {
      releases.push(await directory.lockPlugin(name));
    }
    const prepared: PreparedRestore[] = [];
    for (const pluginId of pluginIds) {
      prepared.push(await prepareOne(pluginId, lockFile.plugins[pluginId] as LockFileEntry, context, staged));
    }
    const changes = prepared.filter((item) => item.staging !== undefined);
    const existing = new Set<string>();
    for (const item of changes) {
      if (await stat(join(directory.path, item.pluginId)).catch(() => undefined)) existing.add(item.pluginId);
    }
    const summary: RestoreChanges = {
      create: changes
        .filter((item) => !existing.has(item.pluginId))
        .map(({ pluginId, version }) => ({ pluginId, version })),
      replace: changes
        .filter((item) => existing.has(item.pluginId))
        .map(({ pluginId, version }) => ({ pluginId, version })),
      remove: unlisted,
    };
    if (
      context.confirm !== undefined &&
      (summary.replace.length > 0 || summary.remove.length > 0) &&
      !(await context.confirm(summary))
    ) {
      throw new PluginError(
        'DECLINED',
        `restoring ${directory.path} from its lock file was declined: nothing was changed`,
        {
          details: { replace: summary.replace, remove: summary.remove },
        },
      );
    }
    for (const item of changes) await item.operatorConfig?.write();
    await directory.commitRestore(
      changes.map((item) => ({ pluginId: item.pluginId, staging: item.staging as string })),
      unlisted,
    );
    return {
      installed: changes.map(({ pluginId, version }) => ({ pluginId, version })),
      unchanged: prepared
        .filter((item) => item.staging === undefined)
        .map(({ pluginId, version }) => ({ pluginId, version })),
      removed: unlisted,
      configCarriedOver: changes
        .filter((item) => item.operatorConfig?.carriedOver)
        .map((item) => item.pluginId),
    };
  } finally {
    for (const path of staged) await rm(path, { recursive: true, force: true });
    for (const release of releases.reverse()) await release();
  }
}
