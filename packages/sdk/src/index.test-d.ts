import type * as Models from '@agentplug/models';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type PluginCapability,
  type PluginConfig,
  PluginError,
  type PluginErrorCode,
  PluginErrorCodes,
  type PluginMetadata,
  type PluginPermissions,
  PluginStatus,
  PluginType,
} from './index';

describe('model re-exports', () => {
  test('are the models package types, not copies', () => {
    expectTypeOf<PluginMetadata>().toEqualTypeOf<Models.PluginMetadata>();
    expectTypeOf<PluginConfig>().toEqualTypeOf<Models.PluginConfig>();
    expectTypeOf<PluginCapability>().toEqualTypeOf<Models.PluginCapability>();
    expectTypeOf<PluginPermissions>().toEqualTypeOf<Models.PluginPermissions>();
    expectTypeOf<PluginErrorCode>().toEqualTypeOf<Models.PluginErrorCode>();
  });

  test('keep the seed enum values', () => {
    expectTypeOf<PluginType>().toEqualTypeOf<'tool' | 'engine' | 'middleware' | 'integration' | 'custom'>();
    expectTypeOf(PluginType.TOOL).toEqualTypeOf<'tool'>();
    expectTypeOf(PluginStatus.ACTIVE).toEqualTypeOf<'active'>();
    expectTypeOf(PluginErrorCodes.INVALID_PARAMS).toHaveProperty('hint');
  });

  test('PluginError carries a typed code', () => {
    expectTypeOf(new PluginError('INVALID_PARAMS', 'bad').code).toEqualTypeOf<PluginErrorCode>();
    expectTypeOf(PluginError.is).guards.toEqualTypeOf<PluginError>();
  });
});
