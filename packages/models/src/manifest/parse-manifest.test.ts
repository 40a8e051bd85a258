import { describe, expect, it } from 'vitest';
import advancedCalculator from '../__fixtures__/seed-advanced-calculator.json';
import calculator from '../__fixtures__/seed-calculator.json';
import hello from '../__fixtures__/seed-hello.json';
import { PluginError } from '../errors/plugin-error';
import { parseManifest, safeParseManifest } from './parse-manifest';

const valid = (): Record<string, unknown> => structuredClone(hello) as Record<string, unknown>;

function capability(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'run', description: 'runs', version: '1.0.0', parameters: { type: 'object' }, ...overrides };
}

describe('the seed manifests', () => {
  it.each([
    ['minimal hello', hello],
    ['calculator', calculator],
    ['advanced calculator', advancedCalculator],
  ])('parse the %s manifest without warnings', (_name, manifest) => {
    const result = safeParseManifest(manifest);
    expect(result.success).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('fills the defaults the seed leaves out', () => {
    const manifest = parseManifest(hello);
    expect(manifest).toMatchObject({
      capabilities: [],
      dependencies: [],
      tags: [],
      min_runtime_version: '*',
      max_runtime_version: '*',
      permissions: {
        filesystem_read: [],
        filesystem_write: [],
        network_hosts: [],
        external_apis: [],
        environment_variables: [],
      },
    });
    expect(manifest.config_schema).toBeUndefined();
  });

  it('fills defaults inside dependencies and capabilities', () => {
    const manifest = parseManifest({
      ...valid(),
      capabilities: [{ name: 'greet' }],
      dependencies: [{ plugin_id: 'com.example.mathlib' }],
    });
    expect(manifest.capabilities[0]).toEqual({
      name: 'greet',
      description: '',
      version: '1.0.0',
      parameters: { type: 'object', properties: {} },
    });
    expect(manifest.dependencies[0]).toEqual({
      plugin_id: 'com.example.mathlib',
      version_constraint: '*',
      optional: false,
    });
  });
});

interface BrokenCase {
  name: string;
  mutate: (manifest: Record<string, unknown>) => unknown;
  code: string;
  path: string;
}

const remove =
  (key: string) =>
  (manifest: Record<string, unknown>): unknown => {
    delete manifest[key];
    return manifest;
  };
const set =
  (key: string, value: unknown) =>
  (manifest: Record<string, unknown>): unknown => ({ ...manifest, [key]: value });

const brokenCases: BrokenCase[] = [
  { name: 'missing plugin_id', mutate: remove('plugin_id'), code: 'MISSING_FIELD', path: '$.plugin_id' },
  { name: 'missing name', mutate: remove('name'), code: 'MISSING_FIELD', path: '$.name' },
  { name: 'missing version', mutate: remove('version'), code: 'MISSING_FIELD', path: '$.version' },
  {
    name: 'missing description',
    mutate: remove('description'),
    code: 'MISSING_FIELD',
    path: '$.description',
  },
  { name: 'missing author', mutate: remove('author'), code: 'MISSING_FIELD', path: '$.author' },
  {
    name: 'missing plugin_type',
    mutate: remove('plugin_type'),
    code: 'MISSING_FIELD',
    path: '$.plugin_type',
  },
  {
    name: 'missing entry_point',
    mutate: remove('entry_point'),
    code: 'MISSING_FIELD',
    path: '$.entry_point',
  },
  {
    name: 'single-label plugin id',
    mutate: set('plugin_id', 'hello'),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  {
    name: 'uppercase plugin id',
    mutate: set('plugin_id', 'com.Example.hello'),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  {
    name: 'plugin id with empty label',
    mutate: set('plugin_id', 'com..hello'),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  {
    name: 'plugin id with underscore',
    mutate: set('plugin_id', 'com.my_company.hello'),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  {
    name: 'plugin id label ending in hyphen',
    mutate: set('plugin_id', 'com.example-.hello'),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  { name: 'numeric plugin id', mutate: set('plugin_id', 42), code: 'INVALID_TYPE', path: '$.plugin_id' },
  { name: 'two-part version', mutate: set('version', '1.0'), code: 'INVALID_VERSION', path: '$.version' },
  {
    name: 'version with leading v',
    mutate: set('version', 'v1.0.0'),
    code: 'INVALID_VERSION',
    path: '$.version',
  },
  {
    name: 'version with leading zero',
    mutate: set('version', '01.0.0'),
    code: 'INVALID_VERSION',
    path: '$.version',
  },
  { name: 'numeric version', mutate: set('version', 1), code: 'INVALID_TYPE', path: '$.version' },
  {
    name: 'unknown plugin type',
    mutate: set('plugin_type', 'widget'),
    code: 'INVALID_ENUM',
    path: '$.plugin_type',
  },
  { name: 'empty name', mutate: set('name', '  '), code: 'EMPTY_FIELD', path: '$.name' },
  {
    name: 'absolute entry point',
    mutate: set('entry_point', '/etc/passwd'),
    code: 'INVALID_ENTRY_POINT',
    path: '$.entry_point',
  },
  {
    name: 'entry point escaping the folder',
    mutate: set('entry_point', 'lib/../../secret'),
    code: 'INVALID_ENTRY_POINT',
    path: '$.entry_point',
  },
  {
    name: 'capabilities not an array',
    mutate: set('capabilities', {}),
    code: 'INVALID_TYPE',
    path: '$.capabilities',
  },
  {
    name: 'capability without name',
    mutate: set('capabilities', [{ description: 'x' }]),
    code: 'MISSING_FIELD',
    path: '$.capabilities[0].name',
  },
  {
    name: 'capability name with a space',
    mutate: set('capabilities', [capability({ name: 'do it' })]),
    code: 'INVALID_CAPABILITY_NAME',
    path: '$.capabilities[0].name',
  },
  {
    name: 'capability name starting with a digit',
    mutate: set('capabilities', [capability({ name: '1run' })]),
    code: 'INVALID_CAPABILITY_NAME',
    path: '$.capabilities[0].name',
  },
  {
    name: 'capability named after a hook',
    mutate: set('capabilities', [capability({ name: 'activate' })]),
    code: 'RESERVED_CAPABILITY_NAME',
    path: '$.capabilities[0].name',
  },
  {
    name: 'capability named then',
    mutate: set('capabilities', [capability({ name: 'then' })]),
    code: 'RESERVED_CAPABILITY_NAME',
    path: '$.capabilities[0].name',
  },
  {
    name: 'duplicate capability names',
    mutate: set('capabilities', [capability(), capability()]),
    code: 'DUPLICATE_CAPABILITY',
    path: '$.capabilities[1].name',
  },
  {
    name: 'capability parameters not JSON Schema',
    mutate: set('capabilities', [capability({ parameters: { type: 'objekt' } })]),
    code: 'INVALID_JSON_SCHEMA',
    path: '$.capabilities[0].parameters',
  },
  {
    name: 'capability parameters of a non-object type',
    mutate: set('capabilities', [capability({ parameters: { type: 'string' } })]),
    code: 'PARAMETERS_NOT_OBJECT',
    path: '$.capabilities[0].parameters',
  },
  {
    name: 'capability parameters with a bad required list',
    mutate: set('capabilities', [capability({ parameters: { type: 'object', required: 'a' } })]),
    code: 'INVALID_JSON_SCHEMA',
    path: '$.capabilities[0].parameters',
  },
  {
    name: 'capability version not semver',
    mutate: set('capabilities', [capability({ version: 'one' })]),
    code: 'INVALID_VERSION',
    path: '$.capabilities[0].version',
  },
  {
    name: 'config_schema not JSON Schema',
    mutate: set('config_schema', { properties: { a: { type: 12 } } }),
    code: 'INVALID_JSON_SCHEMA',
    path: '$.config_schema',
  },
  {
    name: 'config_schema with an unsupported draft',
    mutate: set('config_schema', { $schema: 'http://json-schema.org/draft-03/schema#' }),
    code: 'INVALID_JSON_SCHEMA',
    path: '$.config_schema',
  },
  {
    name: 'dependency id invalid',
    mutate: set('dependencies', [{ plugin_id: 'mathlib' }]),
    code: 'INVALID_DEPENDENCY_ID',
    path: '$.dependencies[0].plugin_id',
  },
  {
    name: 'plugin id longer than an index, a folder or a URL takes',
    mutate: set('plugin_id', `com.${'a'.repeat(125)}`),
    code: 'INVALID_PLUGIN_ID',
    path: '$.plugin_id',
  },
  {
    name: 'version longer than an index, a file name or a URL takes',
    mutate: set('version', `1.0.0-${'a'.repeat(59)}`),
    code: 'INVALID_VERSION',
    path: '$.version',
  },
  {
    name: 'dependency id longer than a plugin id can be',
    mutate: set('dependencies', [{ plugin_id: `com.${'b'.repeat(125)}` }]),
    code: 'INVALID_DEPENDENCY_ID',
    path: '$.dependencies[0].plugin_id',
  },
  {
    name: 'dependency constraint longer than an index takes',
    mutate: set('dependencies', [
      { plugin_id: 'com.example.mathlib', version_constraint: Array(40).fill('>=1.0.0').join(' || ') },
    ]),
    code: 'OUT_OF_RANGE',
    path: '$.dependencies[0].version_constraint',
  },
  {
    name: 'dependency without id',
    mutate: set('dependencies', [{ version_constraint: '*' }]),
    code: 'MISSING_FIELD',
    path: '$.dependencies[0].plugin_id',
  },
  {
    name: 'dependency optional not boolean',
    mutate: set('dependencies', [{ plugin_id: 'com.example.mathlib', optional: 'yes' }]),
    code: 'INVALID_TYPE',
    path: '$.dependencies[0].optional',
  },
  {
    name: 'self dependency',
    mutate: set('dependencies', [{ plugin_id: 'com.mycompany.hello' }]),
    code: 'SELF_DEPENDENCY',
    path: '$.dependencies[0].plugin_id',
  },
  {
    name: 'duplicate dependency',
    mutate: set('dependencies', [{ plugin_id: 'com.example.a' }, { plugin_id: 'com.example.a' }]),
    code: 'DUPLICATE_DEPENDENCY',
    path: '$.dependencies[1].plugin_id',
  },
  {
    name: 'permission path with ..',
    mutate: set('permissions', { filesystem_read: ['/app/data/../../etc'] }),
    code: 'PATH_ESCAPE',
    path: '$.permissions.filesystem_read[0]',
  },
  {
    name: 'write path with ..',
    mutate: set('permissions', { filesystem_write: ['..\\windows'] }),
    code: 'PATH_ESCAPE',
    path: '$.permissions.filesystem_write[0]',
  },
  {
    name: 'network host with a scheme',
    mutate: set('permissions', { network_hosts: ['https://api.example.com'] }),
    code: 'INVALID_HOST',
    path: '$.permissions.network_hosts[0]',
  },
  {
    name: 'environment variable with a dash',
    mutate: set('permissions', { environment_variables: ['API-KEY'] }),
    code: 'INVALID_ENV_NAME',
    path: '$.permissions.environment_variables[0]',
  },
  {
    name: 'permissions not an object',
    mutate: set('permissions', ['network']),
    code: 'INVALID_TYPE',
    path: '$.permissions',
  },
  {
    name: 'min runtime version not semver',
    mutate: set('min_runtime_version', '1.x'),
    code: 'INVALID_RUNTIME_VERSION',
    path: '$.min_runtime_version',
  },
  {
    name: 'max runtime version not semver',
    mutate: set('max_runtime_version', 'latest'),
    code: 'INVALID_RUNTIME_VERSION',
    path: '$.max_runtime_version',
  },
  { name: 'tags not strings', mutate: set('tags', ['math', 3]), code: 'INVALID_TYPE', path: '$.tags[1]' },
  { name: 'document is an array', mutate: () => [], code: 'NOT_AN_OBJECT', path: '$' },
  { name: 'document is null', mutate: () => null, code: 'NOT_AN_OBJECT', path: '$' },
];

describe('broken manifests', () => {
  it('has at least 30 distinct cases', () => {
    expect(new Set(brokenCases.map((entry) => entry.name)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(brokenCases)('rejects $name with $code at $path', ({ mutate, code, path }) => {
    const result = safeParseManifest(mutate(valid()));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ code, path, severity: 'error' }));
  });

  it('reports every issue at once, not only the first', () => {
    const result = safeParseManifest({ ...valid(), plugin_id: 'bad', version: '1', plugin_type: 'x' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => issue.code).sort()).toEqual([
      'INVALID_ENUM',
      'INVALID_PLUGIN_ID',
      'INVALID_VERSION',
    ]);
  });

  it('parseManifest throws MANIFEST_INVALID listing each issue with its path', () => {
    let thrown: unknown;
    try {
      parseManifest({ ...valid(), version: 'one' });
    } catch (error) {
      thrown = error;
    }
    expect(PluginError.is(thrown, 'MANIFEST_INVALID')).toBe(true);
    const error = thrown as PluginError;
    expect(error.message).toContain('$.version');
    expect(error.details.issues).toEqual([
      expect.objectContaining({ code: 'INVALID_VERSION', path: '$.version' }),
    ]);
  });
});

describe('unknown keys', () => {
  it('keeps an unknown top-level key and warns, suggesting the known one', () => {
    const input = { ...valid(), entrypoint: 'main' };
    const result = safeParseManifest(input);
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.value.entrypoint).toBe('main');
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_KEY', path: '$.entrypoint', severity: 'warning' }),
    ]);
    expect(result.warnings[0]?.message).toContain('entry_point');
  });

  it('refuses misspelled keys inside capabilities, dependencies and permissions, which would drop their setting', () => {
    const result = safeParseManifest({
      ...valid(),
      capabilities: [capability({ paramters: {} })],
      dependencies: [{ plugin_id: 'com.example.mathlib', optinal: true }],
      permissions: { network_host: ['a.example.com'] },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['MISSPELLED_KEY', '$.dependencies[0].optinal'],
      ['MISSPELLED_KEY', '$.permissions.network_host'],
    ]);
    // The capability has `parameters` as well, so its `paramters` is a stray key, not a lost one.
    expect(result.warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ['UNKNOWN_KEY', '$.capabilities[0].paramters'],
    ]);
  });

  it('refuses a misspelled optional key such as config_shema with MANIFEST_INVALID', () => {
    const input = { ...valid(), config_shema: { type: 'object', properties: { unit: { type: 'string' } } } };
    const result = safeParseManifest(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual([
      {
        code: 'MISSPELLED_KEY',
        path: '$.config_shema',
        message:
          'unknown key "config_shema": did you mean "config_schema"? As written it is ignored, so its setting would not apply',
        severity: 'error',
      },
    ]);
    expect(() => parseManifest(input)).toThrow(/config_shema/);
  });

  it('only warns about a near-miss of a key that is present too, and about keys near nothing', () => {
    const result = safeParseManifest({
      ...valid(),
      config_schema: { type: 'object' },
      config_shema: {},
      x_vendor: 1,
    });
    expect(result.success).toBe(true);
    expect(result.warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ['UNKNOWN_KEY', '$.config_shema'],
      ['UNKNOWN_KEY', '$.x_vendor'],
    ]);
  });

  it('does not warn about $schema', () => {
    expect(safeParseManifest({ ...valid(), $schema: './plugin.schema.json' }).warnings).toEqual([]);
  });
});

describe('round trip', () => {
  it.each([
    ['hello', hello],
    ['calculator', calculator],
    ['advanced calculator', advancedCalculator],
  ])('parsing the serialised %s manifest again gives the same value', (_name, manifest) => {
    const first = parseManifest(manifest);
    const second = parseManifest(JSON.parse(JSON.stringify(first)));
    expect(second).toEqual(first);
    expect(first).toMatchObject(manifest);
  });

  it('accepts draft-07 schemas when they say so', () => {
    const result = safeParseManifest({
      ...valid(),
      config_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', definitions: {} },
    });
    expect(result.success).toBe(true);
  });
});
