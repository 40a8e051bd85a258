import { formatToolError, PluginError, type PluginErrorCode } from '@agentplug/models';

/**
 * What a failed plugin tool call throws inside the AI SDK's loop, which hands it to the model as
 * the tool's error result: its message (and `toString()`, which the current AI SDK major reads
 * where the previous one read `message`) is `formatToolError`'s text, `CODE: message` and
 * `Hint: ...`; the original error is the `cause`, its code `code`.
 */
export class AgentplugToolError extends Error {
  override readonly name: string = 'AgentplugToolError';
  /** The PluginError code of the failure (`INVALID_PARAMS`, `TIMEOUT`, ...), when it had one. */
  readonly code: PluginErrorCode | undefined;

  constructor(error: unknown) {
    super(formatToolError(error), { cause: error });
    this.code = PluginError.is(error) ? error.code : undefined;
  }

  /** The model's text, without the `AgentplugToolError: ` prefix `Error.prototype.toString` would add. */
  override toString(): string {
    return this.message;
  }
}
