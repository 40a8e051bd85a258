import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { PluginError, type PluginMetadata } from '@agentplug/models';
import { satisfiesConstraint } from '@agentplug/version';
import { type ExtractionLimits, extractArchive } from '../archive/extract-archive';
import { packPlugin } from '../archive/pack-plugin';
import { isProtocolPluginId } from '../protocol/identifiers';
import { readExtractedManifest } from './check-plugin-folder';
import type { LockFile } from './lock-file';
import { diffPermissions } from './permissions';
import type { PluginDirectory } from './plugin-directory';
import type { InstallPlan } from './registry-options';

/** A local archive or folder copied into the plugin directory's staging area, ready to plan and install. */
export interface StagedLocalPlugin {
  /** The staged copy: what is validated and installed, never the source again. */
  folder: string;
  manifest: PluginMetadata;
  /** `file:<absolute path>` of the source. */
  source: string;
  /** sha256 and size of the archive, or of the folder's deterministic pack. */
  sha256: string;
  size: number;
  /** Removes the staged copy (a no-op once it was installed). */
  remove(): Promise<void>;
}

/**
 * Copies a local `.tgz` (extracted with the marketplace's strict rules) or plugin folder into staging
 * and reads its plugin.json: what `agentplug install ./plugin.tgz` and `./folder` install.
 * @throws PluginError INVALID_ARGUMENT (no such path, or not a plugin id), ARCHIVE_UNSAFE, MANIFEST_*
 */
export async function stageLocalPlugin(
  source: string,
  context: { directory: PluginDirectory; extractionLimits: ExtractionLimits },
): Promise<StagedLocalPlugin> {
  const info = await stat(source).catch((error: unknown) => {
    throw new PluginError('INVALID_ARGUMENT', `${source} does not exist`, {
      cause: error,
      details: { path: source },
    });
  });
  const folder = await context.directory.createStagingPath('local');
  const remove = () => rm(folder, { recursive: true, force: true });
  try {
    let sha256: string;
    let size: number;
    if (info.isFile()) {
      const archive = await readFile(source);
      await extractArchive(archive, folder, context.extractionLimits);
      sha256 = createHash('sha256').update(archive).digest('hex');
      size = archive.length;
    } else if (info.isDirectory()) {
      await rm(folder, { recursive: true, force: true });
      const staged = await context.directory.stage('local', source);
      // stage() picks its own name: move our handle to it.
      return await finishStaging(staged, source);
    } else {
      throw new PluginError('INVALID_ARGUMENT', `${source} is neither a .tgz archive nor a plugin folder`, {
        details: { path: source },
      });
    }
    const manifest = await readExtractedManifest(folder);
    checkLocalId(manifest, source);
    return { folder, manifest, source: `file:${source}`, sha256, size, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function finishStaging(folder: string, source: string): Promise<StagedLocalPlugin> {
  const remove = () => rm(folder, { recursive: true, force: true });
  try {
    const manifest = await readExtractedManifest(folder);
    checkLocalId(manifest, source);
    const { sha256, size } = await packPlugin(folder);
    return { folder, manifest, source: `file:${source}`, sha256, size, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function checkLocalId(manifest: PluginMetadata, source: string): void {
  if (!isProtocolPluginId(manifest.plugin_id)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `${source} declares "${manifest.plugin_id}", which is not a plugin id`,
      {
        details: { path: source },
      },
    );
  }
}

/**
 * The plan of a local install, shown and confirmed like a marketplace one: one plugin, with its
 * permissions new, kept and dropped against the lock file, and the security score the validator gave
 * the staged copy. Its required dependencies must already be installed at a satisfying version.
 * @throws PluginError DEPENDENCY_UNRESOLVED
 */
export function planLocalInstall(
  staged: StagedLocalPlugin,
  context: {
    installed: ReadonlyMap<string, PluginMetadata>;
    lockFile: LockFile;
    validation: { securityScore: number; riskLevel: InstallPlan['steps'][number]['riskLevel'] } | undefined;
  },
): InstallPlan {
  const { manifest } = staged;
  const pluginId = manifest.plugin_id;
  const missing = manifest.dependencies
    .filter((dependency) => !dependency.optional)
    .filter((dependency) => {
      const installed = context.installed.get(dependency.plugin_id);
      return (
        installed === undefined || !satisfiesConstraint(installed.version, dependency.version_constraint)
      );
    })
    .map((dependency) => `${dependency.plugin_id}@${dependency.version_constraint}`);
  if (missing.length > 0) {
    throw new PluginError(
      'DEPENDENCY_UNRESOLVED',
      `${pluginId} ${manifest.version} from ${staged.source.slice(5)} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed: install ${missing.length === 1 ? 'it' : 'them'} first`,
      { details: { pluginId, missing } },
    );
  }
  const accepted = context.lockFile.plugins[pluginId]?.permissions;
  const installedVersion = context.installed.get(pluginId)?.version;
  const changes = diffPermissions(accepted, manifest.permissions);
  const action = installedVersion === undefined ? 'install' : 'update';
  const widens = accepted !== undefined && Object.keys(changes.added).length > 0;
  return {
    pluginId,
    version: manifest.version,
    widens,
    warnings: [],
    steps: [
      {
        pluginId,
        version: manifest.version,
        action,
        requested: true,
        installedVersion,
        permissions: manifest.permissions,
        acceptedPermissions: accepted,
        newPermissions: changes.added,
        keptPermissions: changes.kept,
        droppedPermissions: changes.dropped,
        widens,
        securityScore: context.validation?.securityScore,
        riskLevel: context.validation?.riskLevel,
      },
    ],
  };
}
