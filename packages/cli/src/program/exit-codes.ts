import { PluginError, type PluginErrorCode } from '@agentplug/models';

/**
 * The exit codes of every `agentplug` command. Scripts can rely on them; the README lists them.
 */
export const ExitCode = {
  /** The command did what was asked. */
  SUCCESS: 0,
  /** Something failed that no other code covers (read the message). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  USAGE: 2,
  /** The plugin failed validation, or its risk is above the threshold. */
  VALIDATION_FAILED: 3,
  /** The marketplace could not be reached, or did not answer in time, or answered something unreadable. */
  UNREACHABLE: 4,
  /** No such plugin or version (in the marketplace or installed). */
  NOT_FOUND: 5,
  /** The user declined the confirmation (or there was no terminal to ask and no --yes), or new permissions were not approved. */
  DECLINED: 6,
  /** A signature, hash or archive check failed: nothing was installed. */
  INTEGRITY: 7,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodeByErrorCode: Partial<Record<PluginErrorCode, ExitCode>> = {
  INVALID_ARGUMENT: ExitCode.USAGE,
  INVALID_CONSTRAINT: ExitCode.USAGE,
  INVALID_VERSION: ExitCode.USAGE,
  DECLINED: ExitCode.DECLINED,
  // Consent not given: the new permissions were shown and not approved; nothing changed.
  PERMISSIONS_ESCALATED: ExitCode.DECLINED,
  // The operator's configuration does not fit (the new version's) config_schema.
  CONFIG_INVALID: ExitCode.VALIDATION_FAILED,
  VALIDATION_FAILED: ExitCode.VALIDATION_FAILED,
  MANIFEST_INVALID: ExitCode.VALIDATION_FAILED,
  MANIFEST_NOT_FOUND: ExitCode.VALIDATION_FAILED,
  MANIFEST_UNREADABLE: ExitCode.VALIDATION_FAILED,
  MANIFEST_TOO_LARGE: ExitCode.VALIDATION_FAILED,
  NETWORK_ERROR: ExitCode.UNREACHABLE,
  TIMEOUT: ExitCode.UNREACHABLE,
  MARKETPLACE_DISABLED: ExitCode.UNREACHABLE,
  NOT_FOUND: ExitCode.NOT_FOUND,
  PLUGIN_NOT_FOUND: ExitCode.NOT_FOUND,
  SIGNATURE_INVALID: ExitCode.INTEGRITY,
  INDEX_INVALID: ExitCode.INTEGRITY,
  INDEX_EXPIRED: ExitCode.INTEGRITY,
  ROLLBACK_DETECTED: ExitCode.INTEGRITY,
  INTEGRITY_MISMATCH: ExitCode.INTEGRITY,
  ARCHIVE_UNSAFE: ExitCode.INTEGRITY,
  SECRET_DETECTED: ExitCode.VALIDATION_FAILED,
  // A download or an index past its signed size or a cap: a check failed, nothing was installed.
  TOO_LARGE: ExitCode.INTEGRITY,
};

/** The exit code a failure maps to: by its PluginError code, else FAILURE. */
export function exitCodeForError(error: unknown): ExitCode {
  if (!PluginError.is(error)) return ExitCode.FAILURE;
  // The server's refusal of a version it already has (409) is not a mistake in the command line.
  if ((error.code as string) === 'CONFLICT' || error.details.status === 409) return ExitCode.FAILURE;
  return exitCodeByErrorCode[error.code] ?? ExitCode.FAILURE;
}
