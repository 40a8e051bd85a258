import type { PluginErrorCode } from '../errors/error-codes';
import { PluginError } from '../errors/plugin-error';

/** Caps for reading JSON that came from a network, an archive or a file someone else wrote. */
export interface UntrustedJsonLimits {
  /** Most bytes (UTF-8) accepted. Default 16 MiB. */
  maxBytes?: number;
  /** Most levels of nested arrays and objects. Default 64. */
  maxDepth?: number;
}

/** The default {@link UntrustedJsonLimits}. */
export const DEFAULT_UNTRUSTED_JSON_LIMITS: Readonly<Required<UntrustedJsonLimits>> = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
};

/** Options of {@link parseUntrustedJson}: the caps, the code a refusal carries and what the text is. */
export interface ParseUntrustedJsonOptions extends UntrustedJsonLimits {
  /** The error code of a refusal (the caller's protocol code, e.g. SIGNATURE_INVALID for an index). */
  code: PluginErrorCode;
  /** What the text is, for messages: "the marketplace index", "agentplug-lock.json". */
  what: string;
}

/** Why {@link parseUntrustedJson} refused a text; in `details.reason` of the error. */
export type UntrustedJsonProblem = 'size' | 'encoding' | 'depth' | 'syntax';

const decoder = new TextDecoder('utf-8', { fatal: true });

function refuse(
  options: ParseUntrustedJsonOptions,
  reason: UntrustedJsonProblem,
  message: string,
  extra: { details?: Record<string, unknown>; cause?: unknown } = {},
): PluginError {
  return new PluginError(options.code, `${options.what} ${message}`, {
    details: { reason, ...extra.details },
    cause: extra.cause,
  });
}

/** Index of the quote closing the string opened at `start`, or -1 (the parser then reports the syntax error). */
function findStringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    for (let index = end - 1; text.charCodeAt(index) === 92; index -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** The deepest nesting of arrays and objects in a JSON text, stopping once past `limit`. */
function measureDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 34) {
      const end = findStringEnd(text, index);
      if (end === -1) return deepest;
      index = end;
    } else if (code === 123 || code === 91) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 125 || code === 93) {
      depth -= 1;
    }
  }
  return deepest;
}

/** Gives every object of a freshly parsed tree a null prototype, so no key can reach Object.prototype. */
function dropPrototypes(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) dropPrototypes(item);
    return;
  }
  Object.setPrototypeOf(value, null);
  for (const key in value) dropPrototypes((value as Record<string, unknown>)[key]);
}

/**
 * Parses JSON from an untrusted source into plain data whose objects have a null prototype
 * (so `__proto__`, `constructor` and `prototype` are ordinary keys that lookups never inherit),
 * after checking its size, its UTF-8 and its nesting depth, so a hostile text costs bounded time
 * and stack and fails with the caller's code instead of a bare `SyntaxError` or `RangeError`.
 * @throws PluginError with `options.code` and `details.reason` one of size, encoding, depth, syntax
 * @example
 * const index = parseUntrustedJson(bytes, { code: 'SIGNATURE_INVALID', what: 'the marketplace index' });
 */
export function parseUntrustedJson(input: string | Uint8Array, options: ParseUntrustedJsonOptions): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_UNTRUSTED_JSON_LIMITS.maxBytes;
  const maxDepth = options.maxDepth ?? DEFAULT_UNTRUSTED_JSON_LIMITS.maxDepth;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw refuse(options, 'size', `is ${size} bytes; at most ${maxBytes} are accepted`, {
      details: { size, maxBytes },
    });
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = decoder.decode(input);
    } catch (error) {
      throw refuse(options, 'encoding', 'is not valid UTF-8', { cause: error });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const depth = measureDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw refuse(options, 'depth', `nests arrays and objects deeper than ${maxDepth} levels`, {
      details: { maxDepth },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(options, 'syntax', `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  dropPrototypes(value);
  return value;
}
