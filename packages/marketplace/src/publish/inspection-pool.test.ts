import { PluginError } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTemporaryFolder,
  writePluginFolder,
} from '../../../registry-client/test/helpers/plugin-fixtures';
import { inspectArchive } from './inspect-archive';
import { createInspectionPool, type InspectionPool } from './inspection-pool';

const pools: InspectionPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

async function archiveOf(pluginId: string, files: Record<string, string> = {}): Promise<Buffer> {
  const root = await createTemporaryFolder();
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version: '1.0.0' }, files)))
    .archive;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

describe('createInspectionPool', { timeout: 120_000 }, () => {
  it('answers in a worker what inspectArchive answers on this thread, for many archives at once', async () => {
    const pool = createInspectionPool({ size: 2, validate: false });
    pools.push(pool);
    const archives = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        archiveOf(`com.example.pool${index}`, { 'README.md': `# Pool ${index}` }),
      ),
    );
    const inspections = await Promise.all(archives.map((archive) => pool.inspect(archive)));
    for (const [index, archive] of archives.entries()) {
      expect(inspections[index]).toEqual(await inspectArchive(archive));
    }
    expect(inspections.map((inspection) => inspection.readme)).toEqual(
      archives.map((_, index) => `# Pool ${index}`),
    );
  });

  it('runs the default validator in the worker when asked', async () => {
    const pool = createInspectionPool({ size: 1, validate: true });
    pools.push(pool);
    const inspection = await pool.inspect(await archiveOf('com.example.validated'));
    expect(inspection.validation).toMatchObject({ valid: true });
    expect(inspection.securityScore).toBe(inspection.validation?.securityScore);
  });

  it('refuses what inspectArchive refuses, with the same code and message, and goes on inspecting', async () => {
    const pool = createInspectionPool({ size: 1, validate: false });
    pools.push(pool);
    const garbage = Buffer.from('not a gzip stream at all');
    const refused = await pool.inspect(garbage).catch((error: unknown) => error);
    const inline = await inspectArchive(garbage).catch((error: unknown) => error);
    expect(PluginError.is(refused, 'ARCHIVE_UNSAFE')).toBe(true);
    expect((refused as PluginError).message).toBe((inline as PluginError).message);
    const tooMany = createInspectionPool({ size: 1, validate: false, extractionLimits: { maxEntries: 1 } });
    pools.push(tooMany);
    expect(await codeOf(tooMany.inspect(await archiveOf('com.example.many')))).toBe('TOO_LARGE');
    expect((await pool.inspect(await archiveOf('com.example.after'))).manifest.plugin_id).toBe(
      'com.example.after',
    );
  });

  it('refuses with UNAVAILABLE once closed, the waiting archives included', async () => {
    const pool = createInspectionPool({ size: 1, validate: false });
    const archive = await archiveOf('com.example.closing');
    const waiting = [pool.inspect(archive), pool.inspect(archive), pool.inspect(archive)].map(codeOf);
    await pool.close();
    expect(await Promise.all(waiting)).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(await codeOf(pool.inspect(archive))).toBe('UNAVAILABLE');
  });
});
