import { types } from 'node:util';
import { deserialize } from 'node:v8';

/** An error as it crosses from an isolated plugin, after the host checked its shape. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError;
}

/** Host to plugin: call a method (`optional`: resolve undefined when the plugin lacks it). */
export interface CallMessage {
  id: number;
  method: string;
  args: readonly unknown[];
  optional: boolean;
}

/** A message from an isolated plugin, after the host checked its shape. */
export type PluginMessage =
  | { type: 'booted' }
  | { type: 'ready'; methods: string[] }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'permission'; capability: string; target: string; allowed: boolean };

/** What {@link parsePluginMessage} returns: the checked message, or why it was refused. */
export type ParsedPluginMessage = { ok: true; message: PluginMessage } | { ok: false; reason: string };

/** How a channel carries values: `copied` when the whole message was already decoded into a host copy. */
export interface ParsePluginMessageOptions {
  /**
   * `copied`: the transport decoded the message from bytes the host owns (the process tier), so
   * any value is already the host's copy. `encoded`: the message was structured-cloned (a worker),
   * so object values must come as bytes the host decodes itself (a SharedArrayBuffer is shared by
   * a structured clone, never by a decode).
   */
  values: 'copied' | 'encoded';
}

const messageTypes = new Set(['booted', 'ready', 'load-failed', 'result', 'error', 'permission']);
const maximumName = 256;
const maximumText = 65_536;
const maximumCode = 64;
const maximumCapability = 64;
const maximumTarget = 4_096;
const maximumMethods = 4_096;
const maximumMethodName = 256;
const maximumCauseDepth = 8;

type Refusal = { ok: false; reason: string };

function refuse(reason: string): Refusal {
  return { ok: false, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function isBoundedString(value: unknown, maximum: number): value is string {
  return typeof value === 'string' && value.length <= maximum;
}

/** The most a result may take (the runtime refuses larger ones with TOO_LARGE before sending). */
const maximumEncodedBytes = 64 * 1024 * 1024;

/** Bytes a plugin sent: an unshared Uint8Array, copied before it is decoded. */
function decodeBytes(value: unknown): { ok: true; value: unknown } | Refusal {
  if (!types.isUint8Array(value) || types.isSharedArrayBuffer(value.buffer)) {
    return refuse('encoded data is not an unshared byte array');
  }
  if (value.byteLength > maximumEncodedBytes) return refuse('encoded data is larger than a result may be');
  try {
    return { ok: true, value: deserialize(Uint8Array.prototype.slice.call(value)) };
  } catch {
    return refuse('encoded data does not decode');
  }
}

function isPrimitive(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  );
}

function parseError(value: unknown, depth: number): { ok: true; error: SerializedError } | Refusal {
  if (!isRecord(value)) return refuse('an error is not an object');
  const name = own(value, 'name');
  const message = own(value, 'message');
  if (!isBoundedString(name, maximumName) || !isBoundedString(message, maximumText)) {
    return refuse('an error has no valid name or message');
  }
  const error: SerializedError = { name, message };
  const stack = own(value, 'stack');
  if (stack !== undefined) {
    if (!isBoundedString(stack, maximumText)) return refuse('an error stack is not valid');
    error.stack = stack;
  }
  const code = own(value, 'code');
  if (code !== undefined) {
    if (!isBoundedString(code, maximumCode)) return refuse('an error code is not valid');
    error.code = code;
  }
  const details = own(value, 'details');
  if (details !== undefined) {
    // Details that do not decode into an object are dropped, as the plugin side drops uncopyable ones.
    const decoded = decodeBytes(details);
    if (decoded.ok && isRecord(decoded.value)) error.details = decoded.value;
  }
  const cause = own(value, 'cause');
  if (cause !== undefined) {
    if (depth >= maximumCauseDepth) return refuse('an error cause chain is too deep');
    const parsed = parseError(cause, depth + 1);
    if (!parsed.ok) return parsed;
    error.cause = parsed.error;
  }
  return { ok: true, error };
}

function parseCallId(value: Record<string, unknown>): number | undefined {
  const id = own(value, 'id');
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Checks one message from an isolated plugin: its shape, every field's type and size, and decodes
 * encoded values into host copies. Never throws; anything else is refused with a reason (the host
 * then ends the plugin).
 */
export function parsePluginMessage(raw: unknown, options: ParsePluginMessageOptions): ParsedPluginMessage {
  if (!isRecord(raw)) return refuse('a message is not an object');
  const type = own(raw, 'type');
  if (typeof type !== 'string' || !messageTypes.has(type)) return refuse('a message has an unknown type');
  switch (type) {
    case 'booted':
      return { ok: true, message: { type } };
    case 'ready': {
      const methods = own(raw, 'methods');
      if (!Array.isArray(methods) || methods.length > maximumMethods)
        return refuse('a method list is not valid');
      const names: string[] = [];
      for (let index = 0; index < methods.length; index += 1) {
        const name = methods[index] as unknown;
        if (!isBoundedString(name, maximumMethodName) || name === '')
          return refuse('a method name is not valid');
        names.push(name);
      }
      return { ok: true, message: { type, methods: names } };
    }
    case 'load-failed': {
      const parsed = parseError(own(raw, 'error'), 0);
      return parsed.ok ? { ok: true, message: { type, error: parsed.error } } : parsed;
    }
    case 'result': {
      const id = parseCallId(raw);
      if (id === undefined) return refuse('a result has no valid call id');
      const encoded = own(raw, 'encoded');
      if (encoded !== undefined) {
        const decoded = decodeBytes(encoded);
        return decoded.ok ? { ok: true, message: { type, id, value: decoded.value } } : decoded;
      }
      const value = own(raw, 'value');
      if (options.values === 'encoded' && !isPrimitive(value))
        return refuse('a result object was not encoded');
      if (typeof value === 'string' && value.length * 2 > maximumEncodedBytes)
        return refuse('a result string is larger than a result may be');
      return { ok: true, message: { type, id, value } };
    }
    case 'error': {
      const id = parseCallId(raw);
      if (id === undefined) return refuse('an error has no valid call id');
      const parsed = parseError(own(raw, 'error'), 0);
      return parsed.ok ? { ok: true, message: { type, id, error: parsed.error } } : parsed;
    }
    default: {
      const capability = own(raw, 'capability');
      const target = own(raw, 'target');
      const allowed = own(raw, 'allowed');
      if (
        !isBoundedString(capability, maximumCapability) ||
        !isBoundedString(target, maximumTarget) ||
        typeof allowed !== 'boolean'
      ) {
        return refuse('a permission event is not valid');
      }
      return { ok: true, message: { type: 'permission', capability, target, allowed } };
    }
  }
}
