import { PluginError, type PluginErrorCode, type PluginErrorOptions } from '@agentplug/models';
import type { ExitCode } from './exit-codes';

const exitCodeKey: unique symbol = Symbol.for('@agentplug/cli/exitCode');

/**
 * A PluginError that also says which exit code the command ends with and what to do, for the
 * failures the CLI itself detects (a declined confirmation, a risk above the threshold).
 */
export function createCommandFailure(
  code: PluginErrorCode,
  message: string,
  exitCode: ExitCode,
  options: PluginErrorOptions & { hint?: string } = {},
): PluginError {
  const error = new PluginError(code, message, options);
  Object.defineProperty(error, exitCodeKey, { value: exitCode });
  if (options.hint !== undefined) Object.defineProperty(error, 'hint', { value: options.hint });
  return error;
}

/** The exit code a failure made by {@link createCommandFailure} carries, if any. */
export function readCommandExitCode(error: unknown): ExitCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as Record<symbol, ExitCode | undefined>)[exitCodeKey];
}
