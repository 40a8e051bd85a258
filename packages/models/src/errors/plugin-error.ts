import type { PluginValidationResult } from '../schemas/validation-result';
import { type PluginErrorCode, PluginErrorCodes } from './error-codes';

const brand: unique symbol = Symbol.for('@agentplug/models/PluginError');

/** Options for a {@link PluginError}: structured details and the error that caused it. */
export interface PluginErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type every agentplug package throws. `code` comes from {@link PluginErrorCodes};
 * `hint` says what to do.
 *
 * @example
 * try { await loader.loadPlugin('com.example.calculator'); }
 * catch (error) { if (PluginError.is(error, 'VALIDATION_FAILED')) console.error(error.hint); }
 */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  readonly details: Record<string, unknown>;
  override readonly name: string = 'PluginError';

  constructor(code: PluginErrorCode, message: string, options: PluginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** What the user should do about this error. */
  get hint(): string {
    return PluginErrorCodes[this.code]?.hint ?? '';
  }

  /**
   * Whether `value` is a PluginError (optionally with `code`), also when it comes from another
   * copy of this package, where `instanceof` fails.
   */
  static is(value: unknown, code?: PluginErrorCode): value is PluginError {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[brand] !== true) {
      return false;
    }
    return code === undefined || (value as PluginError).code === code;
  }

  /** A plain JSON form (code, message, hint, details), for logs and status endpoints. */
  toJSON(): {
    name: string;
    code: PluginErrorCode;
    message: string;
    hint: string;
    details: Record<string, unknown>;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      details: this.details,
    };
  }
}

// The brand lives on the prototype under a registry symbol, so copies of this package recognise each other.
Object.defineProperty(PluginError.prototype, brand, { value: true });

/** A plugin could not be loaded; `pluginId` names it. */
export class PluginLoadError extends PluginError {
  override readonly name: string = 'PluginLoadError';
  readonly pluginId: string;

  constructor(
    pluginId: string,
    message: string,
    options: PluginErrorOptions & { code?: PluginErrorCode } = {},
  ) {
    super(options.code ?? 'LOAD_FAILED', message, { ...options, details: { pluginId, ...options.details } });
    this.pluginId = pluginId;
  }
}

/** A plugin failed validation; `validationResult` holds the full report. */
export class PluginValidationError extends PluginError {
  override readonly name: string = 'PluginValidationError';
  readonly validationResult: PluginValidationResult;

  constructor(message: string, validationResult: PluginValidationResult, options: PluginErrorOptions = {}) {
    super('VALIDATION_FAILED', message, options);
    this.validationResult = validationResult;
  }
}

/** Wraps anything thrown (a zod, ajv, babel or fetch error) into a PluginError, keeping it as the cause. */
export function toPluginError(error: unknown, code: PluginErrorCode, message?: string): PluginError {
  if (PluginError.is(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new PluginError(code, message ? `${message}: ${text}` : text, { cause: error });
}
