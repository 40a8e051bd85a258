import { writeFile } from 'node:fs/promises';
import {
  formatRevocationRecord,
  getRevocationsPath,
  PluginError,
  type PluginRevocation,
} from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import {
  createPluginDirectory,
  simplePluginSource,
  type TemporaryPluginDirectory,
  takeRecordedCalls,
} from './helpers/plugin-folders';

const BAD = 'com.test.revoked';
const malware: PluginRevocation = {
  pluginId: BAD,
  version: '1.0.0',
  reason: 'exfiltrates API keys',
  severity: 'critical',
  revokedAt: '2026-12-01T00:00:00.000Z',
};

let directory: TemporaryPluginDirectory;
let loader: PluginLoader | undefined;

beforeEach(async () => {
  directory = await createPluginDirectory();
  takeRecordedCalls();
});

afterEach(async () => {
  await loader?.close();
  loader = undefined;
  await directory.remove();
});

async function failure(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!PluginError.is(error)) throw new Error('expected a PluginError');
  return error;
}

async function record(revocations: PluginRevocation[]): Promise<void> {
  await writeFile(
    getRevocationsPath(directory.path),
    formatRevocationRecord(revocations, { checkedAt: new Date() }),
  );
}

describe('revoked plugins', () => {
  it('refuses a version the registry recorded as revoked (critical), with the reason, before any of its code runs', async () => {
    await directory.writePlugin({ id: BAD });
    await record([malware]);
    loader = new PluginLoader({ pluginDirectory: directory.path });
    const error = await failure(loader.loadPlugin(BAD));
    expect(error.code).toBe('PLUGIN_REVOKED');
    expect(error.message).toContain('exfiltrates API keys');
    expect(error.details).toMatchObject({ pluginId: BAD, version: '1.0.0', severity: 'critical' });
    expect(takeRecordedCalls()).toEqual([]);
    expect(loader.getPluginState(BAD)?.status).toBe('failed');
  });

  it('loads another version of the same plugin, and below-critical revocations unless told to refuse them', async () => {
    await directory.writePlugin({ id: BAD, manifest: { version: '1.0.1' } });
    await record([malware, { ...malware, version: '1.0.1', severity: 'high', reason: 'a bad bug' }]);
    loader = new PluginLoader({ pluginDirectory: directory.path });
    expect((await loader.loadPlugin(BAD)).status).toBe('loaded');
    await loader.close();
    loader = new PluginLoader({ pluginDirectory: directory.path, refuseRevoked: 'high' });
    expect((await failure(loader.loadPlugin(BAD))).message).toContain('a bad bug');
  });

  it('loads a revoked version when refuseRevoked is false', async () => {
    await directory.writePlugin({ id: BAD });
    await record([malware]);
    loader = new PluginLoader({ pluginDirectory: directory.path, refuseRevoked: false });
    expect((await loader.loadPlugin(BAD)).status).toBe('loaded');
  });

  it('refuses from the revocations the host passes, and auto-load reports it failed while the others come up', async () => {
    await directory.writePlugin({ id: BAD, config: { auto_load: true } });
    await directory.writePlugin({ id: 'com.test.fine', config: { auto_load: true } });
    loader = new PluginLoader({ pluginDirectory: directory.path, revocations: [malware] });
    const entries = await loader.autoLoadPlugins();
    const byId = Object.fromEntries(entries.map((entry) => [entry.pluginId, entry]));
    expect(byId[BAD]?.status).toBe('failed');
    expect(PluginError.is(byId[BAD]?.error, 'PLUGIN_REVOKED')).toBe(true);
    expect(byId['com.test.fine']?.status).toBe('active');
  });

  it('unloads a revoked loaded plugin and what depends on it, and refuses to load it again', async () => {
    await directory.writePlugin({ id: BAD });
    await directory.writePlugin({
      id: 'com.test.dependent',
      manifest: { dependencies: [{ plugin_id: BAD, version_constraint: '^1.0.0' }] },
    });
    await directory.writePlugin({ id: 'com.test.fine' });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await loader.loadPlugin('com.test.dependent');
    await loader.activatePlugin(BAD);
    await loader.loadPlugin('com.test.fine');
    takeRecordedCalls();

    // Nothing is revoked yet: nothing changes.
    expect(await loader.applyRevocations()).toEqual([]);
    await record([malware]);
    const refused = await loader.applyRevocations();
    expect(refused).toEqual([malware]);
    expect(loader.getPluginState(BAD)).toBeUndefined();
    expect(loader.getPluginState('com.test.dependent')).toBeUndefined();
    expect(loader.getPluginState('com.test.fine')?.status).toBe('loaded');
    expect(takeRecordedCalls()).toEqual(
      expect.arrayContaining([`${BAD}:deactivate`, `${BAD}:cleanup`, 'com.test.dependent:cleanup']),
    );
    expect((await failure(loader.loadPlugin(BAD))).code).toBe('PLUGIN_REVOKED');
    // A reload of a loaded plugin whose new version on disk is revoked keeps the old one serving.
    await record([malware, { ...malware, pluginId: 'com.test.fine', reason: 'revoked later' }]);
    await directory.writePlugin({
      id: 'com.test.fine',
      files: { 'main.mjs': simplePluginSource({ label: 'v2' }) },
    });
    expect((await failure(loader.reloadPlugin('com.test.fine'))).code).toBe('PLUGIN_REVOKED');
  });

  it('fails closed on a damaged revocation record', async () => {
    await directory.writePlugin({ id: BAD });
    await writeFile(getRevocationsPath(directory.path), '{"revocations": "all"}');
    loader = new PluginLoader({ pluginDirectory: directory.path });
    const error = await failure(loader.loadPlugin(BAD));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('agentplug-revocations.json');
  });
});
