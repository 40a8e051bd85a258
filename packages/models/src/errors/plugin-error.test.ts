import { describe, expect, it } from 'vitest';
import { httpStatusForCode, isPluginErrorCode, PluginErrorCodes } from './error-codes';
import { PluginError, PluginLoadError, PluginValidationError, toPluginError } from './plugin-error';

const validationResult = {
  valid: false,
  errors: ['entry point missing'],
  warnings: [],
  securityScore: 100,
  riskLevel: 'low' as const,
  findings: [],
  scoreBreakdown: [],
};

describe('PluginError', () => {
  it('carries a code, details, a cause and the hint of its code', () => {
    const cause = new Error('disk full');
    const error = new PluginError('INSTALL_FAILED', 'could not install', {
      details: { pluginId: 'a.b' },
      cause,
    });
    expect(error.code).toBe('INSTALL_FAILED');
    expect(error.details).toEqual({ pluginId: 'a.b' });
    expect(error.cause).toBe(cause);
    expect(error.hint).toBe(PluginErrorCodes.INSTALL_FAILED.hint);
    expect(error.toJSON()).toMatchObject({ code: 'INSTALL_FAILED', message: 'could not install' });
  });

  it('is() matches by code and rejects other values', () => {
    const error = new PluginError('TIMEOUT', 'slow');
    expect(PluginError.is(error)).toBe(true);
    expect(PluginError.is(error, 'TIMEOUT')).toBe(true);
    expect(PluginError.is(error, 'ABORTED')).toBe(false);
    expect(PluginError.is(new Error('x'))).toBe(false);
    expect(PluginError.is({ code: 'TIMEOUT' })).toBe(false);
    expect(PluginError.is(null)).toBe(false);
  });

  it('is() recognises an error from another copy of the package, where instanceof fails', async () => {
    // A query string makes the module loader evaluate the file a second time: a true duplicate copy.
    const duplicateUrl = new URL('./plugin-error.ts?duplicate-copy', import.meta.url).href;
    const copy = (await import(/* @vite-ignore */ duplicateUrl)) as typeof import('./plugin-error');
    expect(copy.PluginError).not.toBe(PluginError);
    const foreign = new copy.PluginError('NOT_FOUND', 'elsewhere');
    expect(foreign instanceof PluginError).toBe(false);
    expect(PluginError.is(foreign, 'NOT_FOUND')).toBe(true);
  });

  it('subclasses keep their data and stay PluginErrors', () => {
    const load = new PluginLoadError('com.example.hello', 'boom');
    expect(load.code).toBe('LOAD_FAILED');
    expect(load.pluginId).toBe('com.example.hello');
    expect(PluginError.is(load, 'LOAD_FAILED')).toBe(true);
    const validation = new PluginValidationError('invalid', validationResult);
    expect(validation.code).toBe('VALIDATION_FAILED');
    expect(validation.validationResult).toBe(validationResult);
  });

  it('toPluginError wraps foreign errors and passes PluginErrors through', () => {
    const original = new TypeError('fetch failed');
    const wrapped = toPluginError(original, 'NETWORK_ERROR', 'marketplace unreachable');
    expect(wrapped.code).toBe('NETWORK_ERROR');
    expect(wrapped.message).toBe('marketplace unreachable: fetch failed');
    expect(wrapped.cause).toBe(original);
    const existing = new PluginError('TIMEOUT', 'slow');
    expect(toPluginError(existing, 'INTERNAL')).toBe(existing);
  });

  it('documents every code with a summary and a hint', () => {
    for (const [code, info] of Object.entries(PluginErrorCodes)) {
      expect(isPluginErrorCode(code)).toBe(true);
      expect(info.summary.length).toBeGreaterThan(5);
      expect(info.hint.length).toBeGreaterThan(5);
    }
    expect(isPluginErrorCode('NOPE')).toBe(false);
  });

  it('gives every code an HTTP status beside it: 4xx for the request at fault, 5xx for the server', () => {
    for (const [code, info] of Object.entries(PluginErrorCodes)) {
      expect(Number.isInteger(info.httpStatus), code).toBe(true);
      expect(info.httpStatus, code).toBeGreaterThanOrEqual(400);
      expect(info.httpStatus, code).toBeLessThan(600);
      expect(httpStatusForCode(code)).toBe(info.httpStatus);
    }
    expect(httpStatusForCode('CONFLICT')).toBe(409);
    expect(httpStatusForCode('UNAUTHORIZED')).toBe(401);
    expect(httpStatusForCode('NOT_FOUND')).toBe(404);
    expect(httpStatusForCode('TOO_LARGE')).toBe(413);
    expect(httpStatusForCode('VALIDATION_FAILED')).toBe(422);
    expect(httpStatusForCode('INTERNAL')).toBe(500);
    expect(httpStatusForCode('FORBIDDEN')).toBe(403);
    expect(httpStatusForCode('RATE_LIMITED')).toBe(429);
    expect(httpStatusForCode('UNAVAILABLE')).toBe(503);
    // Anything that is not a documented code (a string from a peer, a prototype key) is a 500.
    expect(httpStatusForCode('NOPE')).toBe(500);
    expect(httpStatusForCode('constructor')).toBe(500);
    expect(httpStatusForCode(undefined)).toBe(500);
  });
});

describe('the README', () => {
  it('documents every error code', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(PluginErrorCodes).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
