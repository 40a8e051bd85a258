import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginError } from '../errors/plugin-error';
import {
  findRefusedRevocation,
  formatRevocationRecord,
  getRevocationsPath,
  type PluginRevocation,
  readRevocationRecord,
} from './revocation-record';

const malware: PluginRevocation = {
  pluginId: 'com.example.bad',
  version: '1.0.0',
  reason: 'steals tokens',
  severity: 'critical',
  revokedAt: '2026-12-01T00:00:00.000Z',
};
const buggy: PluginRevocation = { ...malware, version: '1.1.0', reason: 'a bug', severity: 'medium' };

describe('revocation record', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'revocations-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads back what it wrote, and a missing file is no revocation', async () => {
    const path = getRevocationsPath(folder);
    expect(await readRevocationRecord(path)).toEqual([]);
    await writeFile(path, formatRevocationRecord([buggy, malware], { checkedAt: new Date(0) }));
    expect(await readRevocationRecord(path)).toEqual([malware, buggy]);
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['no list', '{"revocations": 3}'],
    [
      'a bad id',
      '{"revocations":[{"plugin_id":"../x","version":"1.0.0","reason":"r","severity":"critical","revoked_at":"t"}]}',
    ],
    [
      'a bad severity',
      '{"revocations":[{"plugin_id":"com.a.b","version":"1.0.0","reason":"r","severity":"dire","revoked_at":"t"}]}',
    ],
    [
      'an empty reason',
      '{"revocations":[{"plugin_id":"com.a.b","version":"1.0.0","reason":"","severity":"low","revoked_at":"t"}]}',
    ],
  ])('fails closed on %s with CONFIG_INVALID', async (_name, text) => {
    const path = getRevocationsPath(folder);
    await writeFile(path, text);
    const error = await readRevocationRecord(path).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('refuses at or above the threshold, the most severe first, and none with false', () => {
    const both = [buggy, malware, { ...malware, severity: 'high' as const }];
    const target = { pluginId: malware.pluginId, version: '1.0.0' };
    expect(findRefusedRevocation(both, { ...target, refuseAt: 'critical' })?.severity).toBe('critical');
    expect(findRefusedRevocation(both, { ...target, refuseAt: false })).toBeUndefined();
    expect(
      findRefusedRevocation(both, { ...target, version: '1.1.0', refuseAt: 'critical' }),
    ).toBeUndefined();
    expect(findRefusedRevocation(both, { ...target, version: '1.1.0', refuseAt: 'medium' })).toEqual(buggy);
  });
});
