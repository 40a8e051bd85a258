// The plugin process's end of its channel to the host: a socket pair the host opened as file
// descriptor 3, carrying frames (a 4-byte big-endian length, then a message as JSON text, which
// starts with `{`, or in V8's serialization format, which starts with 0xFF). It is opened before
// the policy is installed (the native-handle guard refuses wrapping a descriptor afterwards). The
// frequent small messages (a plain result, a permission event, the host's calls with plain
// arguments) travel as JSON, several times cheaper to write and read than V8's format; everything
// else is encoded as v8.serialize does, on V8's native Serializer and Deserializer. Every Buffer,
// JSON and array operation is a captured one, so plugin code that replaces the array iterator, a
// Buffer method or JSON.parse does not garble the channel. The host treats whatever arrives here as
// untrusted; this side only needs to stay correct for a plugin that tampers with its own realm.
import net from 'node:net';
import v8 from 'node:v8';
import {
  construct,
  defineProperty,
  jsonParse,
  jsonStringify,
  numberIsFinite,
  objectIs,
  steadyListener,
  typedArrayLength,
  uncurryThis,
} from './primordials.mjs';
import { createResultTooLargeError, maximumResultBytes } from './serve-plugin.mjs';

const { Serializer, Deserializer, DefaultSerializer, DefaultDeserializer } = v8;
const writeHeader = uncurryThis(Serializer.prototype.writeHeader);
const writeValue = uncurryThis(Serializer.prototype.writeValue);
const releaseBuffer = uncurryThis(Serializer.prototype.releaseBuffer);
const treatViewsAsHostObjects = uncurryThis(Serializer.prototype._setTreatArrayBufferViewsAsHostObjects);
const readHeader = uncurryThis(Deserializer.prototype.readHeader);
const readValue = uncurryThis(Deserializer.prototype.readValue);
// Node's own encoding of typed arrays and Buffers (their bytes only, never the whole, possibly
// pooled, ArrayBuffer behind them; a view over shared memory is copied). Taken from the Default
// classes and set on each native instance, because constructing the Default classes runs a
// spread the plugin could break by replacing the array iterator.
const writeHostObject = DefaultSerializer.prototype._writeHostObject;
const readHostObject = DefaultDeserializer.prototype._readHostObject;
const { Buffer } = globalThis;
const allocUnsafe = Buffer.allocUnsafe;
const concat = Buffer.concat;
const bufferSubarray = uncurryThis(Object.getPrototypeOf(Uint8Array.prototype).subarray);
const bufferSet = uncurryThis(Object.getPrototypeOf(Uint8Array.prototype).set);
const readUInt32BE = uncurryThis(Buffer.prototype.readUInt32BE);
const writeUInt32BE = uncurryThis(Buffer.prototype.writeUInt32BE);
const utf8Write = uncurryThis(Buffer.prototype.utf8Write);
const utf8Slice = uncurryThis(Buffer.prototype.utf8Slice);
const byteLength = Buffer.byteLength;
const socketWrite = uncurryThis(net.Socket.prototype.write);
const jsonFirstByte = 0x7b;

/** A primitive as JSON text when JSON carries it exactly (so not undefined, -0, NaN or a bigint). */
function primitiveText(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return jsonStringify(value);
    case 'number':
      // A number primitive in a template is converted by the language, not by a prototype method.
      return numberIsFinite(value) && !objectIs(value, -0) ? `${value}` : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return undefined;
  }
}

/**
 * The JSON text of the runtime's frequent messages (a result that is a primitive, a permission
 * event, the start signal), built from their own fields only; undefined for every other message,
 * which then goes in V8's format.
 */
function jsonText(message) {
  const type = message.type;
  if (type === 'result' && message.encoded === undefined && typeof message.id === 'number') {
    const value = message.value;
    if (value === undefined) return `{"type":"result","id":${message.id}}`;
    const text = primitiveText(value);
    return text === undefined ? undefined : `{"type":"result","id":${message.id},"value":${text}}`;
  }
  if (
    type === 'permission' &&
    typeof message.capability === 'string' &&
    typeof message.target === 'string' &&
    typeof message.allowed === 'boolean'
  ) {
    return `{"type":"permission","capability":${jsonStringify(message.capability)},"target":${jsonStringify(message.target)},"allowed":${message.allowed ? 'true' : 'false'}}`;
  }
  if (type === 'booted') return '{"type":"booted"}';
  return undefined;
}

/** Encodes a message as v8.serialize does (what the host decodes with v8.deserialize). */
export function encodeMessage(message) {
  const serializer = construct(Serializer, []);
  defineProperty(serializer, '_writeHostObject', { value: writeHostObject });
  treatViewsAsHostObjects(serializer, true);
  writeHeader(serializer);
  writeValue(serializer, message);
  return releaseBuffer(serializer);
}

/** Decodes one of the host's frames: JSON text, or what v8.serialize made. */
export function decodeMessage(bytes) {
  const length = typedArrayLength(bytes);
  if (length > 0 && bytes[0] === jsonFirstByte) return jsonParse(utf8Slice(bytes, 0, length));
  const deserializer = construct(Deserializer, [bytes]);
  defineProperty(deserializer, '_readHostObject', { value: readHostObject });
  readHeader(deserializer);
  return readValue(deserializer);
}

/**
 * Opens the channel on `descriptor`. `post` sends a message (throws when it cannot be serialized),
 * `next()` resolves with the first message, `listen(handler)` receives the others, and the process
 * exits when the host closes its end.
 */
export function openHostChannel(descriptor) {
  const socket = new net.Socket({ fd: descriptor, readable: true, writable: true });
  let buffered = allocUnsafe(0);
  let handler;
  // Messages that arrive before a handler is set, in order.
  const early = [];
  let earlyStart = 0;
  socket.on(
    'data',
    steadyListener((chunk) => {
      buffered = typedArrayLength(buffered) === 0 ? chunk : concat([buffered, chunk]);
      while (typedArrayLength(buffered) >= 4) {
        const length = readUInt32BE(buffered, 0);
        if (typedArrayLength(buffered) < 4 + length) break;
        const message = decodeMessage(bufferSubarray(buffered, 4, 4 + length));
        buffered = bufferSubarray(buffered, 4 + length);
        if (handler === undefined)
          defineProperty(early, early.length, { value: message, configurable: true });
        else handler(message);
      }
    }),
  );
  // The host closed its end (it unloaded the plugin, or it is gone): nothing more to do here.
  const exit = process.exit;
  socket.on(
    'close',
    steadyListener(() => exit(0)),
  );
  socket.on(
    'error',
    steadyListener(() => exit(0)),
  );
  return {
    post(message) {
      const text = jsonText(message);
      if (text !== undefined) {
        const length = byteLength(text, 'utf8');
        if (length > maximumResultBytes) throw createResultTooLargeError(length);
        const frame = allocUnsafe(4 + length);
        writeUInt32BE(frame, length, 0);
        utf8Write(frame, text, 4, length);
        socketWrite(socket, frame);
        return;
      }
      const payload = encodeMessage(message);
      const length = typedArrayLength(payload);
      // The host ends a plugin that sends a larger frame; a result this large is refused here.
      if (length > maximumResultBytes) throw createResultTooLargeError(length);
      const frame = allocUnsafe(4 + length);
      writeUInt32BE(frame, length, 0);
      bufferSet(frame, payload, 4);
      socketWrite(socket, frame);
    },
    next() {
      return new Promise((resolve) => {
        if (earlyStart < early.length) {
          const message = early[earlyStart];
          earlyStart += 1;
          resolve(message);
          return;
        }
        handler = (message) => {
          handler = undefined;
          resolve(message);
        };
      });
    },
    listen(onMessage) {
      handler = onMessage;
      while (earlyStart < early.length) {
        const message = early[earlyStart];
        earlyStart += 1;
        onMessage(message);
      }
    },
  };
}
