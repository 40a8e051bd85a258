import type { PluginValidationResult, PluginValidatorLike } from '@agentplug/models';
import { describe, expectTypeOf, it } from 'vitest';
import { PluginValidator, type ValidatePluginResult } from './plugin-validator';

describe('PluginValidator and the contract the other packages take', () => {
  it('is a PluginValidatorLike, so the loader, registry client and marketplace accept it as is', () => {
    expectTypeOf<PluginValidator>().toExtend<PluginValidatorLike>();
    expectTypeOf(new PluginValidator()).toExtend<PluginValidatorLike>();
  });

  it('answers with a PluginValidationResult (and more)', () => {
    expectTypeOf<ValidatePluginResult>().toExtend<PluginValidationResult>();
    expectTypeOf<
      Awaited<ReturnType<PluginValidator['validatePlugin']>>
    >().toEqualTypeOf<ValidatePluginResult>();
  });

  it('is not a PluginValidatorLike without validatePlugin', () => {
    expectTypeOf<Omit<PluginValidator, 'validatePlugin'>>().not.toExtend<PluginValidatorLike>();
  });
});
