import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import hello from '../__fixtures__/seed-hello.json';
import { PluginError } from '../errors/plugin-error';
import { parseManifestBytes, readConfig, readManifest } from './read-manifest';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agentplug-models-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(PluginError.is(error)).toBe(true);
  expect((error as PluginError).code).toBe(code);
  return error as PluginError;
}

describe('readManifest', () => {
  it('reads plugin.json with its warnings and path', async () => {
    await writeFile(join(folder, 'plugin.json'), JSON.stringify({ ...hello, extra: true }));
    const result = await readManifest(folder);
    expect(result.manifest.plugin_id).toBe('com.mycompany.hello');
    expect(result.manifestPath).toBe(join(folder, 'plugin.json'));
    expect(result.warnings.map((warning) => warning.code)).toEqual(['UNKNOWN_KEY']);
  });

  it('accepts a byte order mark', async () => {
    await writeFile(join(folder, 'plugin.json'), `\uFEFF${JSON.stringify(hello)}`);
    expect((await readManifest(folder)).manifest.name).toBe('Hello World Plugin');
  });

  it('reports a missing plugin.json', async () => {
    const error = await expectCode(readManifest(folder), 'MANIFEST_NOT_FOUND');
    expect(error.message).toContain('plugin.json');
  });

  it('reports invalid JSON with line and column', async () => {
    await writeFile(join(folder, 'plugin.json'), '{\n  "plugin_id": "a.b",\n  "name": tru\n}');
    const error = await expectCode(readManifest(folder), 'MANIFEST_UNREADABLE');
    expect(error.details).toMatchObject({ line: 3, column: 14 });
    expect(error.message).toContain('plugin.json:3:14');
  });

  it('reports a trailing comma where it is', async () => {
    await writeFile(join(folder, 'plugin.json'), '{\n  "a": 1,\n}');
    const error = await expectCode(readManifest(folder), 'MANIFEST_UNREADABLE');
    expect(error.details).toMatchObject({ line: 3, column: 1 });
  });

  it('refuses a file over the size cap before reading it', async () => {
    await writeFile(join(folder, 'plugin.json'), JSON.stringify({ ...hello, description: 'x'.repeat(2000) }));
    const error = await expectCode(readManifest(folder, { maxBytes: 1000 }), 'MANIFEST_TOO_LARGE');
    expect(error.details).toMatchObject({ maxBytes: 1000 });
  });

  it('reports an invalid manifest with the file and every issue', async () => {
    await writeFile(join(folder, 'plugin.json'), JSON.stringify({ ...hello, version: 'one' }));
    const error = await expectCode(readManifest(folder), 'MANIFEST_INVALID');
    expect(error.message).toContain(join(folder, 'plugin.json'));
    expect(error.details.issues).toEqual([
      expect.objectContaining({ code: 'INVALID_VERSION', path: '$.version' }),
    ]);
  });
});

describe('parseManifestBytes', () => {
  const codeOf = (run: () => unknown): PluginError => {
    try {
      run();
    } catch (error) {
      expect(PluginError.is(error)).toBe(true);
      return error as PluginError;
    }
    throw new Error('expected a PluginError');
  };

  it('parses a manifest in memory with its warnings, named by the path given', () => {
    const result = parseManifestBytes(Buffer.from(JSON.stringify({ ...hello, extra: true })), 'plugin.json');
    expect(result.manifest.plugin_id).toBe('com.mycompany.hello');
    expect(result.manifestPath).toBe('plugin.json');
    expect(result.warnings.map((warning) => warning.code)).toEqual(['UNKNOWN_KEY']);
    const plain = new TextEncoder().encode(`\uFEFF${JSON.stringify(hello)}`);
    expect(parseManifestBytes(plain, 'plugin.json').manifest.name).toBe('Hello World Plugin');
  });

  it('refuses what readManifest refuses, with the same codes and details', () => {
    const large = codeOf(() =>
      parseManifestBytes(
        Buffer.from(JSON.stringify({ ...hello, description: 'x'.repeat(2000) })),
        'plugin.json',
        {
          maxBytes: 1000,
        },
      ),
    );
    expect(large.code).toBe('MANIFEST_TOO_LARGE');
    expect(large.details).toMatchObject({ path: 'plugin.json', maxBytes: 1000 });
    const unreadable = codeOf(() =>
      parseManifestBytes(Buffer.from('{\n  "plugin_id": "a.b",\n  "name": tru\n}'), 'plugin.json'),
    );
    expect(unreadable.code).toBe('MANIFEST_UNREADABLE');
    expect(unreadable.details).toMatchObject({ line: 3, column: 14 });
    expect(unreadable.message).toContain('plugin.json:3:14');
    const invalid = codeOf(() =>
      parseManifestBytes(Buffer.from(JSON.stringify({ ...hello, version: 'one' })), 'plugin.json'),
    );
    expect(invalid.code).toBe('MANIFEST_INVALID');
    expect(invalid.details.issues).toEqual([
      expect.objectContaining({ code: 'INVALID_VERSION', path: '$.version' }),
    ]);
  });
});

describe('readConfig', () => {
  it('returns undefined when the plugin has no config.json', async () => {
    expect(await readConfig(folder)).toBeUndefined();
  });

  it('reads config.json with defaults filled', async () => {
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({
        plugin_id: 'com.example.calculator',
        config: { precision: 15 },
        sandbox_config_override: { max_execution_time_seconds: 10 },
      }),
    );
    expect(await readConfig(folder)).toEqual({
      plugin_id: 'com.example.calculator',
      enabled: true,
      auto_load: false,
      priority: 0,
      config: { precision: 15 },
      sandbox_config_override: { max_execution_time_seconds: 10 },
    });
  });

  it('reports an invalid config.json with the path of each issue', async () => {
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({
        plugin_id: 'com.example.calculator',
        priority: 'high',
        sandbox_config_override: { isolation: 'vm' },
      }),
    );
    const error = await expectCode(readConfig(folder), 'CONFIG_INVALID');
    expect((error.details.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      '$.priority',
      '$.sandbox_config_override.isolation',
    ]);
  });
});
