import { PluginError, type PluginErrorCode, PluginErrorCodes } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { cliHintFor, listCliHints } from './cli-hints';
import { createCommandFailure } from './command-failure';
import { ExitCode } from './exit-codes';

const codes = Object.keys(PluginErrorCodes) as PluginErrorCode[];

describe('a specific hint for every error code', () => {
  test('every code of the models table has its own command-line hint, and no other code is listed', () => {
    const hints = new Map(listCliHints());
    // A code added to models without a hint here fails this (and the type check of the table).
    expect([...hints.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const hint = hints.get(code) ?? '';
      expect(hint.length, code).toBeGreaterThan(20);
      expect(cliHintFor(code), code).toBe(hint);
    }
  });

  test('no two codes share a hint, and none is the generic one', () => {
    const texts = listCliHints().map(([, hint]) => hint);
    expect(new Set(texts).size).toBe(texts.length);
    for (const [code, hint] of listCliHints()) {
      expect(hint, code).not.toBe('Fix the argument named in the message.');
      expect(hint, code).not.toBe('Read the cause; reload the plugin once it is fixed.');
    }
  });

  test("hints speak the command line's language: no API option, object literal or method call", () => {
    // What a plugin author writes in the entry module is named as it is spelled there.
    const pluginCode = new Set(['createPlugin']);
    for (const [code, hint] of listCliHints()) {
      // Other camelCase identifiers (approvePermissions, enableMarketplace, trustedKeys) are API options, not flags.
      const identifiers = (hint.match(/\b[a-z]+[A-Z][a-zA-Z]*\b/g) ?? []).filter(
        (name) => !pluginCode.has(name),
      );
      expect(identifiers, code).toEqual([]);
      expect(hint, code).not.toMatch(/[{}]|: true\b|\(\)/);
    }
  });

  test('a hint a command gave its own failure wins over the one for its code', () => {
    const failure = createCommandFailure('DECLINED', 'x', ExitCode.DECLINED, { hint: 'Pass --yes here.' });
    expect(cliHintFor(failure.code, Object.hasOwn(failure, 'hint') ? failure.hint : undefined)).toBe(
      'Pass --yes here.',
    );
    const plain = new PluginError('DECLINED', 'x');
    expect(Object.hasOwn(plain, 'hint')).toBe(false);
    expect(cliHintFor(plain.code)).toBe('Nothing was changed: run again and answer "y", or pass --yes.');
  });
});
