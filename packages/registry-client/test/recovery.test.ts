import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '../src/index';
import { getJournalPath, writeInstallJournal } from '../src/registry/install-journal';
import { createTemporaryFolder, snapshotFolder, writePluginFolder } from './helpers/plugin-fixtures';

const ID = 'com.example.kept';

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(
    execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString(),
  );
}

/** A plugin directory with ID installed, as a finished install leaves it. */
async function installed() {
  const root = await createTemporaryFolder();
  const pluginDirectory = join(root, 'plugins');
  const open = () => new PluginRegistry({ pluginDirectory, cacheDirectory: join(root, 'cache') });
  const registry = open();
  await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
    validate: false,
  });
  const files = await snapshotFolder(join(pluginDirectory, ID));
  const lock = await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8');
  await registry.close();
  return { pluginDirectory, open, files, lock, trash: join(pluginDirectory, '.agentplug', 'trash') };
}

describe('recovery after a kill -9 during an uninstall', () => {
  it('puts back a folder moved to the trash while the lock file still lists it (killed before the commit)', async () => {
    const { pluginDirectory, open, files, lock, trash } = await installed();
    await mkdir(trash, { recursive: true });
    await rename(join(pluginDirectory, ID), join(trash, `${ID}-${deadPid()}-0123456789ab`));
    const registry = open();
    expect((await registry.listInstalledPlugins()).map((manifest) => manifest.plugin_id)).toEqual([ID]);
    expect(await snapshotFolder(join(pluginDirectory, ID))).toEqual(files);
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(lock);
    expect(await readdir(trash)).toEqual([]);
    await registry.uninstallPlugin(ID);
    expect((await registry.readLockFile()).plugins[ID]).toBeUndefined();
  });

  it('finishes an uninstall killed after its commit, while the trash was being emptied', async () => {
    const { pluginDirectory, open, trash } = await installed();
    await mkdir(trash, { recursive: true });
    await rename(join(pluginDirectory, ID), join(trash, `${ID}-${deadPid()}-0123456789ab`));
    await writeFile(join(pluginDirectory, 'agentplug-lock.json'), '{"lockfile_version":1,"plugins":{}}\n');
    const registry = open();
    expect(await registry.listInstalledPlugins()).toEqual([]);
    expect(await readdir(trash)).toEqual([]);
  });

  it('drops the entry of a first install killed before its folder moved in, and leaves a live process its trash', async () => {
    const { pluginDirectory, open, trash } = await installed();
    await mkdir(trash, { recursive: true });
    const live = `com.example.other-${process.ppid}-0123456789ab`;
    await mkdir(join(trash, live));
    await rename(join(pluginDirectory, ID), join(pluginDirectory, '..', 'moved-away'));
    // The install's own lock, left by the process that was killed.
    await mkdir(join(pluginDirectory, '.agentplug', 'locks'), { recursive: true });
    await writeFile(join(pluginDirectory, '.agentplug', 'locks', `${ID}.lock`), String(deadPid()));
    const registry = open();
    expect((await registry.readLockFile()).plugins[ID]).toBeUndefined();
    expect(JSON.parse(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).plugins).toEqual(
      {},
    );
    expect(await readdir(trash)).toEqual([live]);
  });

  it('keeps the entry of a folder that is simply missing: the lock file says what to restore', async () => {
    const { pluginDirectory, open, lock } = await installed();
    await rename(join(pluginDirectory, ID), join(pluginDirectory, '..', 'deleted-by-hand'));
    const registry = open();
    expect((await registry.readLockFile()).plugins[ID]?.version).toBe('1.0.0');
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(lock);
    await registry.close();
  });
});

describe('recovery after a kill -9 during a lock file write', () => {
  it('removes the half-written copy and the half-taken lock of a dead process, keeping the lock file', async () => {
    const { pluginDirectory, open, lock } = await installed();
    const pid = deadPid();
    const halfWritten = `agentplug-lock.json.${pid}.0a1b2c3d.tmp`;
    const halfTaken = `_lockfile.lock.${pid}.0a1b2c3d`;
    await writeFile(join(pluginDirectory, halfWritten), '{"lockfile_version":1,"plu');
    await writeFile(join(pluginDirectory, '.agentplug', 'locks', halfTaken), String(pid));
    const registry = open();
    expect((await registry.listInstalledPlugins()).map((manifest) => manifest.plugin_id)).toEqual([ID]);
    expect(await readdir(pluginDirectory)).not.toContain(halfWritten);
    expect(await readdir(join(pluginDirectory, '.agentplug', 'locks'))).not.toContain(halfTaken);
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(lock);
  });
});

describe('recovery after a kill -9 during a write of the operator configuration', () => {
  it("removes a dead process's half-written copy, keeping the file and a live writer's copy", async () => {
    const { pluginDirectory, open } = await installed();
    const folder = join(pluginDirectory, 'agentplug-config');
    await mkdir(folder, { recursive: true });
    const kept = '{"config":{"greeting":"Bonjour"}}\n';
    await writeFile(join(folder, `${ID}.json`), kept);
    const halfWritten = `${ID}.json.${deadPid()}.0a1b2c3d.tmp`;
    const live = `${ID}.json.${process.ppid}.0a1b2c3d.tmp`;
    await writeFile(join(folder, halfWritten), '{"config":{"gree');
    await writeFile(join(folder, live), '{"config":{"gree');
    const registry = open();
    expect((await registry.readInstalledConfig(ID)).operator).toEqual({ config: { greeting: 'Bonjour' } });
    expect((await readdir(folder)).sort()).toEqual([`${ID}.json`, live].sort());
    expect(await readFile(join(folder, `${ID}.json`), 'utf8')).toBe(kept);
    await registry.close();
  });
});

describe('recovery after a kill -9 during an install', () => {
  /** The journal an install writes before it moves a folder, as a process killed later leaves it. */
  async function writeJournal(
    pluginDirectory: string,
    previousLock: string | undefined,
    movedPrevious: boolean,
  ) {
    const journalFolder = join(pluginDirectory, '.agentplug', 'journal');
    await mkdir(journalFolder, { recursive: true });
    const previous = previousLock === undefined ? undefined : JSON.parse(previousLock).plugins[ID];
    const { canonicalizeJson } = await import('../src/protocol/canonicalize-json');
    await writeInstallJournal(getJournalPath(journalFolder, ID), {
      previousEntry: canonicalizeJson(previous ?? null),
      movedPrevious,
    });
    return journalFolder;
  }

  it('keeps a reinstall of the same version killed after its commit, while the backup was being emptied', async () => {
    const { pluginDirectory, open, files, lock } = await installed();
    const backup = join(pluginDirectory, '.agentplug', 'backup', ID);
    const journalFolder = await writeJournal(pluginDirectory, lock, true);
    await cp(join(pluginDirectory, ID), backup, { recursive: true });
    // Half emptied: the code is gone, the plugin.json (same version as the new one) is still there.
    await rm(join(backup, 'main.js'));
    const committed = JSON.parse(lock);
    committed.plugins[ID].installed_at = new Date(Date.now() + 1000).toISOString();
    const committedText = `${JSON.stringify(committed, null, 2)}\n`;
    await writeFile(join(pluginDirectory, 'agentplug-lock.json'), committedText);
    const registry = open();
    expect((await registry.listInstalledPlugins()).map((manifest) => manifest.plugin_id)).toEqual([ID]);
    expect(await snapshotFolder(join(pluginDirectory, ID))).toEqual(files);
    expect(await readdir(join(pluginDirectory, '.agentplug', 'backup'))).toEqual([]);
    expect(await readdir(journalFolder)).toEqual([]);
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(committedText);
  });

  it('puts the previous folder back when an update was killed after the swap, before its commit', async () => {
    const { pluginDirectory, open, files, lock } = await installed();
    const backup = join(pluginDirectory, '.agentplug', 'backup', ID);
    const journalFolder = await writeJournal(pluginDirectory, lock, true);
    await mkdir(join(pluginDirectory, '.agentplug', 'backup'), { recursive: true });
    await rename(join(pluginDirectory, ID), backup);
    const newer = await writePluginFolder(join(pluginDirectory, '..'), { plugin_id: ID, version: '2.0.0' });
    await rename(newer, join(pluginDirectory, ID));
    const registry = open();
    expect((await registry.listInstalledPlugins()).map((manifest) => manifest.version)).toEqual(['1.0.0']);
    expect(await snapshotFolder(join(pluginDirectory, ID))).toEqual(files);
    expect(await readdir(journalFolder)).toEqual([]);
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(lock);
  });

  it('removes a first install killed after the swap, before its commit, leaving the lock file as it was', async () => {
    const { pluginDirectory, open, lock } = await installed();
    const registry = open();
    await registry.uninstallPlugin(ID);
    await registry.close();
    const emptyLock = await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8');
    expect(emptyLock).not.toBe(lock);
    const journalFolder = await writeJournal(pluginDirectory, emptyLock, false);
    const fresh = await writePluginFolder(join(pluginDirectory, '..'), { plugin_id: ID, version: '1.0.0' });
    await rename(fresh, join(pluginDirectory, ID));
    const reopened = open();
    expect(await reopened.listInstalledPlugins()).toEqual([]);
    expect(await readdir(pluginDirectory)).not.toContain(ID);
    expect(await readdir(journalFolder)).toEqual([]);
    expect(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).toBe(emptyLock);
  });
});
