// The plugin process's end of its channel to the host: a socket pair the host opened as file
// descriptor 3, carrying frames (a 4-byte big-endian length, then a V8-serialized message). It is
// opened before the policy is installed (the native-handle guard refuses wrapping a descriptor
// afterwards). The host treats whatever arrives here as untrusted; this side only needs to be
// correct for an honest plugin.
import net from 'node:net';
import v8 from 'node:v8';

const serialize = v8.serialize;
const deserialize = v8.deserialize;
const { Buffer } = globalThis;
const allocUnsafe = Buffer.allocUnsafe;
const concat = Buffer.concat;

/**
 * Opens the channel on `descriptor`. `post` sends a message (throws when it cannot be serialized),
 * `next()` resolves with the first message, `listen(handler)` receives the others, and the process
 * exits when the host closes its end.
 */
export function openHostChannel(descriptor) {
  const socket = new net.Socket({ fd: descriptor, readable: true, writable: true });
  let buffered = allocUnsafe(0);
  let handler;
  const early = [];
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const message = deserialize(buffered.subarray(4, 4 + length));
      buffered = buffered.subarray(4 + length);
      if (handler === undefined) early.push(message);
      else handler(message);
    }
  });
  // The host closed its end (it unloaded the plugin, or it is gone): nothing more to do here.
  socket.on('close', () => process.exit(0));
  socket.on('error', () => process.exit(0));
  return {
    post(message) {
      const payload = serialize(message);
      const frame = allocUnsafe(4 + payload.length);
      frame.writeUInt32BE(payload.length, 0);
      payload.copy(frame, 4);
      socket.write(frame);
    },
    next() {
      return new Promise((resolve) => {
        if (early.length > 0) {
          resolve(early.shift());
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
      while (early.length > 0) onMessage(early.shift());
    },
  };
}
