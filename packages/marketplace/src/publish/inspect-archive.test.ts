import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginValidationResult, type PluginValidatorLike } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { describe, expect, it } from 'vitest';
import {
  createTemporaryFolder,
  writePluginFolder,
} from '../../../registry-client/test/helpers/plugin-fixtures';
import { buildRawTgz, type RawTarEntry } from '../../../registry-client/test/helpers/raw-tar';
import { inspectArchive, MAX_README_BYTES } from './inspect-archive';

async function manifestText(pluginId: string): Promise<string> {
  const folder = await writePluginFolder(await createTemporaryFolder(), {
    plugin_id: pluginId,
    version: '1.0.0',
  });
  return readFile(join(folder, 'plugin.json'), 'utf8');
}

async function refusal(
  archive: Buffer,
  options: Parameters<typeof inspectArchive>[1] = {},
): Promise<PluginError> {
  const error = await inspectArchive(archive, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(PluginError.is(error)).toBe(true);
  return error as PluginError;
}

// Runs `work` with the temporary directory pointed at a fresh folder of its own (os.tmpdir() reads
// TMPDIR at each call), and answers what was left in it: other tests and processes share the real one.
async function leftInTemporaryFolder(work: () => Promise<unknown>): Promise<string[]> {
  const own = await createTemporaryFolder('agentplug-inspect-tmp-');
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = own;
  try {
    await work();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  return readdir(own);
}

describe('inspectArchive', () => {
  it('reads the manifest, the README (first of README.md, README.markdown, README, any case) and the sha256 in memory', async () => {
    const manifest = await manifestText('com.example.memory');
    const archive = buildRawTgz([
      { name: 'plugin.json', data: manifest },
      { name: 'docs/', type: '5' },
      { name: 'docs/README.md', data: 'not the top level' },
      { name: 'ReadMe', data: 'third choice' },
      { name: 'readme.MD', data: `# Memory\n${randomBytes(MAX_README_BYTES).toString('hex')}` },
    ]);
    let inspection: Awaited<ReturnType<typeof inspectArchive>> | undefined;
    expect(
      await leftInTemporaryFolder(async () => {
        inspection = await inspectArchive(archive);
      }),
    ).toEqual([]);
    if (inspection === undefined) throw new Error('no inspection');
    expect(inspection.manifest.plugin_id).toBe('com.example.memory');
    expect(inspection.size).toBe(archive.length);
    expect(inspection.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(inspection.readme?.startsWith('# Memory\n')).toBe(true);
    expect(inspection.readme?.length).toBe(MAX_README_BYTES);
    expect(inspection.validation).toBeUndefined();
    expect(inspection.securityScore).toBe(100);
  });

  it('refuses every unsafe archive with the extractor exact code, before any validator runs', async () => {
    const manifest = await manifestText('com.example.unsafe');
    let validated = 0;
    const validator: PluginValidatorLike = {
      async validatePlugin() {
        validated += 1;
        throw new Error('never reached');
      },
    };
    // Each beside a valid plugin.json: the extractor refuses the archive whatever else it holds.
    const unsafeEntries: [string, RawTarEntry][] = [
      ['a symbolic link', { name: 'link', type: '2', linkName: '/etc/passwd' }],
      ['a hard link', { name: 'link', type: '1', linkName: 'plugin.json' }],
      ['a ../ path', { name: '../escape.js', data: 'x' }],
      ['an absolute path', { name: '/tmp/escape.js', data: 'x' }],
      ['a device', { name: 'dev', type: '3' }],
      ['a duplicate', { name: 'plugin.json', data: manifest }],
    ];
    const cases: [string, RawTarEntry[], string][] = [
      ...unsafeEntries.map(([what, entry]): [string, RawTarEntry[], string] => [
        what,
        [{ name: 'plugin.json', data: manifest }, entry],
        'ARCHIVE_UNSAFE',
      ]),
      ['no plugin.json', [{ name: 'index.js', data: 'x' }], 'MANIFEST_NOT_FOUND'],
      [
        'plugin.json below the top level',
        [{ name: 'inner/plugin.json', data: manifest }],
        'MANIFEST_NOT_FOUND',
      ],
      [
        'plugin.json as a folder',
        [
          { name: 'plugin.json/', type: '5' },
          { name: 'plugin.json/x', data: manifest },
        ],
        'MANIFEST_NOT_FOUND',
      ],
      [
        'plugin.json over 1 MiB',
        [{ name: 'plugin.json', data: `${manifest}${randomBytes(512 * 1024).toString('hex')}` }],
        'MANIFEST_TOO_LARGE',
      ],
      [
        'plugin.json not JSON',
        [{ name: 'plugin.json', data: '{\n  "plugin_id": tru\n}' }],
        'MANIFEST_UNREADABLE',
      ],
      [
        'an invalid manifest',
        [{ name: 'plugin.json', data: manifest.replace('"1.0.0"', '"one"') }],
        'MANIFEST_INVALID',
      ],
    ];
    for (const [what, entries, code] of cases) {
      const error = await refusal(buildRawTgz(entries), { validator });
      expect({ what, code: error.code }).toEqual({ what, code });
    }
    expect((await refusal(Buffer.from('not gzip'), { validator })).code).toBe('ARCHIVE_UNSAFE');
    const many = buildRawTgz([
      { name: 'plugin.json', data: manifest },
      { name: 'a.js', data: 'x' },
    ]);
    expect((await refusal(many, { extractionLimits: { maxEntries: 1 } })).code).toBe('TOO_LARGE');
    expect((await refusal(many, { extractionLimits: { maxTotalBytes: 10 } })).code).toBe('TOO_LARGE');
    const zeros = buildRawTgz([
      { name: 'plugin.json', data: manifest },
      { name: 'zeros', data: Buffer.alloc(4 << 20) },
    ]);
    expect((await refusal(zeros)).code).toBe('TOO_LARGE');
    expect(validated).toBe(0);
  });

  it('gives a validator the files in a temporary folder and removes it, refused or not', async () => {
    const root = await createTemporaryFolder();
    const folder = await writePluginFolder(
      root,
      { plugin_id: 'com.example.validated', version: '1.0.0' },
      {
        'README.md': '# Validated',
      },
    );
    const { archive } = await packPlugin(folder);
    const seen: string[] = [];
    const verdict: PluginValidationResult = {
      valid: true,
      errors: [],
      warnings: [],
      securityScore: 61,
      riskLevel: 'medium',
      findings: [],
      scoreBreakdown: [],
    };
    const validator: PluginValidatorLike = {
      async validatePlugin(path, manifest) {
        seen.push(path, manifest?.plugin_id ?? '', (await readdir(path)).sort().join(','));
        return verdict;
      },
    };
    let inspection: Awaited<ReturnType<typeof inspectArchive>> | undefined;
    expect(
      await leftInTemporaryFolder(async () => {
        inspection = await inspectArchive(archive, { validator });
      }),
    ).toEqual([]);
    expect(seen[0]).toContain('agentplug-inspect-');
    expect(seen[1]).toBe('com.example.validated');
    expect(seen[2]).toBe((await readdir(folder)).sort().join(','));
    expect(inspection).toMatchObject({ securityScore: 61, riskLevel: 'medium', readme: '# Validated' });
    const failing: PluginValidatorLike = {
      validatePlugin: async () => {
        throw new Error('the validator broke');
      },
    };
    expect(
      await leftInTemporaryFolder(async () => {
        expect((await refusal(archive, { validator: failing })).code).toBe('VALIDATION_FAILED');
      }),
    ).toEqual([]);
  });
});
