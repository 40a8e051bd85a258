import { describe, expect, it } from 'vitest';
import { checkConfigValues } from './check-config-values';

const schema = {
  type: 'object',
  properties: {
    units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
    retries: { type: 'integer', minimum: 0, default: 3 },
  },
  additionalProperties: false,
};

describe('checkConfigValues', () => {
  it('accepts a config.json and defaults that satisfy config_schema', () => {
    expect(
      checkConfigValues({
        configSchema: schema,
        configText: JSON.stringify({ config: { units: 'imperial' } }),
      }),
    ).toEqual([]);
  });

  it("reports a config.json that breaks the plugin's own config_schema", () => {
    const issues = checkConfigValues({
      configSchema: schema,
      configText: JSON.stringify({ plugin_id: 'x', config: { units: 'kelvin', retries: -1 } }),
    });
    expect(issues).toEqual([
      {
        code: 'CONFIG_INVALID',
        severity: 'error',
        file: 'config.json',
        path: '$.config',
        message:
          'the shipped configuration breaks config_schema: /units must be equal to one of the allowed values; /retries must be >= 0',
      },
    ]);
  });

  it('reports a default that breaks the schema it sits in', () => {
    const issues = checkConfigValues({
      configSchema: {
        type: 'object',
        properties: { units: { type: 'string', enum: ['metric', 'imperial'], default: 'kelvin' } },
      },
      configText: undefined,
    });
    expect(issues).toEqual([
      {
        code: 'CONFIG_DEFAULT_INVALID',
        severity: 'error',
        path: '$.config_schema.properties.units',
        message: 'the default "kelvin" breaks its own schema: $ must be equal to one of the allowed values',
      },
    ]);
  });

  it('reports a config.json that is not JSON, or not an object', () => {
    expect(checkConfigValues({ configSchema: schema, configText: '{ nope' })[0]?.code).toBe('CONFIG_INVALID');
    expect(checkConfigValues({ configSchema: schema, configText: '[]' })[0]?.message).toBe(
      'config.json must be a JSON object with a "config" object',
    );
  });

  it('has nothing to say without a config_schema', () => {
    expect(checkConfigValues({ configSchema: undefined, configText: '{ nope' })).toEqual([]);
  });
});
