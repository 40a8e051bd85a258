import { cp, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginMetadata, pathExists, readManifest } from '@agentplug/models';
import {
  describeLockEntry,
  getJournalPath,
  removeInstallJournal,
  writeInstallJournal,
} from './install-journal';
import { acquireLock } from './install-lock';
import { type LockFile, type LockFileEntry, readLockFile, writeLockFile } from './lock-file';
import { migrateLegacyLockFile } from './migrate-lock-file';
import { createOwnedSuffix } from './owner-process';
import { getWorkFolders, recoverInterruptedInstalls, type WorkFolders } from './recover-installs';

async function copyPluginFolder(source: string, destination: string): Promise<void> {
  await cp(source, destination, {
    recursive: true,
    errorOnExist: true,
    force: false,
    filter: async (path) => {
      const info = await lstat(path);
      if (info.isSymbolicLink() || !(info.isFile() || info.isDirectory())) {
        throw new PluginError(
          'ARCHIVE_UNSAFE',
          `${path} is a link or a special file; plugins hold regular files only`,
          {
            details: { path },
          },
        );
      }
      return true;
    },
  });
}

/**
 * A plugin directory and its install transaction: per-plugin locks, the lock file (its writes
 * serialised within the process and locked across processes), staging, backup, the swap, and
 * recovery of what a killed process left behind.
 */
export class PluginDirectory {
  readonly path: string;
  readonly folders: WorkFolders;
  /** Where the operator's configuration of a plugin lives. */
  readonly operatorConfigPath: (pluginId: string) => string;
  private readonly cacheDirectory: string | undefined;
  private readonly operatorConfigDirectory: string | undefined;
  private recovery: Promise<unknown> | undefined;
  private lockFileQueue: Promise<unknown> = Promise.resolve();

  constructor(
    path: string,
    options: {
      operatorConfigPath: (pluginId: string) => string;
      /** The folder of the operator's files, whose half-written copies recovery removes. */
      operatorConfigDirectory?: string | undefined;
      cacheDirectory?: string | undefined;
    },
  ) {
    this.path = path;
    this.folders = getWorkFolders(path);
    this.operatorConfigPath = options.operatorConfigPath;
    this.operatorConfigDirectory = options.operatorConfigDirectory;
    this.cacheDirectory = options.cacheDirectory;
  }

  /**
   * Finishes or undoes what interrupted installs left behind, then brings a directory written by an
   * older client up to date (its config.json edits into the operator's files, the lock file to
   * version 2), once per directory object.
   * @throws PluginError INSTALL_FAILED
   */
  ensureRecovered(): Promise<unknown> {
    this.recovery ??= (async () => {
      await recoverInterruptedInstalls(this.path, { operatorConfigDirectory: this.operatorConfigDirectory });
      await migrateLegacyLockFile({
        pluginDirectory: this.path,
        folders: this.folders,
        cacheDirectory: this.cacheDirectory,
        operatorConfigPath: this.operatorConfigPath,
      });
    })().catch((error: unknown) => {
      this.recovery = undefined;
      if (PluginError.is(error) && error.code !== 'INSTALL_FAILED') throw error;
      throw new PluginError('INSTALL_FAILED', `cannot recover interrupted installs in ${this.path}`, {
        cause: error,
      });
    });
    return this.recovery;
  }

  /**
   * Takes the install lock of one plugin; resolves to its release.
   * @throws PluginError INSTALL_LOCKED
   */
  lockPlugin(pluginId: string): Promise<() => Promise<void>> {
    return acquireLock(this.folders.locks, pluginId);
  }

  /** A fresh path in the staging folder (created), named after `name` and this process. */
  async createStagingPath(name: string): Promise<string> {
    await mkdir(this.folders.staging, { recursive: true });
    return join(this.folders.staging, `${name}-${createOwnedSuffix()}`);
  }

  /**
   * Copies a plugin folder into a new staging folder and returns it.
   * @throws PluginError ARCHIVE_UNSAFE (a link or special file in the folder)
   */
  async stage(pluginId: string, folder: string): Promise<string> {
    const staging = await this.createStagingPath(pluginId);
    try {
      await copyPluginFolder(folder, staging);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return staging;
  }

  /**
   * Swaps a staged plugin into place and records it; the caller holds the plugin's lock. The previous
   * version is moved to the backup folder first and put back on any failure; the lock file write is
   * the commit point.
   * @throws PluginError INSTALL_FAILED
   */
  async commitInstall(pluginId: string, staging: string, entry: LockFileEntry): Promise<void> {
    const target = join(this.path, pluginId);
    const backup = join(this.folders.backup, pluginId);
    const journal = getJournalPath(this.folders.journal, pluginId);
    await mkdir(this.folders.backup, { recursive: true });
    await mkdir(this.folders.journal, { recursive: true });
    await rm(backup, { recursive: true, force: true });
    const hadPrevious = await pathExists(target);
    // Written before any folder moves, so recovery can tell a committed swap from an interrupted one.
    await writeInstallJournal(journal, {
      previousEntry: describeLockEntry((await readLockFile(this.path)).plugins[pluginId]),
      movedPrevious: hadPrevious,
    });
    if (hadPrevious) await rename(target, backup);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadPrevious) await rename(backup, target);
      await removeInstallJournal(journal);
      throw new PluginError('INSTALL_FAILED', `cannot move ${pluginId} into place`, { cause: error });
    }
    try {
      // The lock file write is the commit point: recovery keeps the new version only once it is recorded.
      await this.updateLockFile((lockFile) => {
        lockFile.plugins[pluginId] = entry;
      });
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (hadPrevious) await rename(backup, target);
      await removeInstallJournal(journal);
      throw new PluginError('INSTALL_FAILED', `cannot record ${pluginId} in the lock file`, { cause: error });
    }
    await rm(backup, { recursive: true, force: true });
    await removeInstallJournal(journal);
  }

  /**
   * Removes an installed plugin's folder and its lock file entry, under the plugin's lock.
   * @throws PluginError PLUGIN_NOT_FOUND, INSTALL_LOCKED, INSTALL_FAILED
   */
  async remove(pluginId: string): Promise<void> {
    const release = await this.lockPlugin(pluginId);
    try {
      const target = join(this.path, pluginId);
      if (!(await pathExists(target))) {
        throw new PluginError('PLUGIN_NOT_FOUND', `${pluginId} is not installed in ${this.path}`, {
          details: { pluginId },
        });
      }
      await mkdir(this.folders.trash, { recursive: true });
      const trash = join(this.folders.trash, `${pluginId}-${createOwnedSuffix()}`);
      try {
        await rename(target, trash);
        await this.updateLockFile((lockFile) => {
          delete lockFile.plugins[pluginId];
        });
      } catch (error) {
        throw new PluginError('INSTALL_FAILED', `cannot uninstall ${pluginId}`, { cause: error });
      }
      await rm(trash, { recursive: true, force: true });
    } finally {
      await release();
    }
  }

  /**
   * Makes the plugin folders match a set of staged folders in one step, under the plugins' locks the
   * caller holds: each staged folder replaces (or creates) its plugin's folder, each folder in
   * `removals` goes to the trash. On any failure everything done so far is undone. The lock file is
   * not written: it is what the caller restores from.
   * @throws PluginError INSTALL_FAILED
   */
  async commitRestore(
    replacements: readonly { pluginId: string; staging: string }[],
    removals: readonly string[],
  ): Promise<void> {
    await mkdir(this.folders.backup, { recursive: true });
    await mkdir(this.folders.trash, { recursive: true });
    const undo: (() => Promise<void>)[] = [];
    const cleanup: string[] = [];
    try {
      for (const { pluginId, staging } of replacements) {
        const target = join(this.path, pluginId);
        const backup = join(this.folders.backup, pluginId);
        await rm(backup, { recursive: true, force: true });
        if (await pathExists(target)) {
          await rename(target, backup);
          undo.push(() => rename(backup, target));
          cleanup.push(backup);
        }
        await rename(staging, target);
        undo.push(() => rename(target, staging));
      }
      for (const name of removals) {
        const target = join(this.path, name);
        const trash = join(this.folders.trash, `${name}-${createOwnedSuffix()}`);
        await rename(target, trash);
        undo.push(() => rename(trash, target));
        cleanup.push(trash);
      }
    } catch (error) {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw new PluginError(
        'INSTALL_FAILED',
        `cannot make ${this.path} match the lock file; nothing was changed`,
        {
          cause: error,
        },
      );
    }
    for (const path of cleanup) await rm(path, { recursive: true, force: true });
  }

  /** Applies a change to the lock file: serialised in this process, locked across processes. */
  updateLockFile(change: (lockFile: LockFile) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const release = await acquireLock(this.folders.locks, '_lockfile', { waitMs: 10_000 });
      try {
        const lockFile = await readLockFile(this.path);
        change(lockFile);
        await writeLockFile(this.path, lockFile);
      } finally {
        await release();
      }
    };
    const next = this.lockFileQueue.then(run, run);
    this.lockFileQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * The lock file (an empty one when there is none), after recovery made it agree with the folders.
   * @throws PluginError INSTALL_FAILED (corrupt, or recovery failed)
   */
  async readLockFile(): Promise<LockFile> {
    await this.ensureRecovered();
    return readLockFile(this.path);
  }

  /** The installed plugins (each folder with a valid plugin.json), sorted by id. */
  async listInstalled(): Promise<PluginMetadata[]> {
    await this.ensureRecovered();
    let names: string[];
    try {
      names = await readdir(this.path);
    } catch {
      return [];
    }
    const manifests: PluginMetadata[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const manifest = await this.readInstalledManifest(name);
      if (manifest !== undefined) manifests.push(manifest);
    }
    return manifests;
  }

  /** The manifest of an installed plugin folder, or undefined when it has none that parses. */
  async readInstalledManifest(name: string): Promise<PluginMetadata | undefined> {
    try {
      return (await readManifest(join(this.path, name))).manifest;
    } catch {
      return undefined;
    }
  }

  /** Waits for pending lock file writes. */
  async close(): Promise<void> {
    await this.lockFileQueue;
  }
}
