/** Reads a QUIC variable-length integer; undefined when the bytes do not hold all of it yet. */
export declare function readVarint(
  bytes: Uint8Array,
  offset: number,
): { value: number; next: number } | undefined;
/** A DATAGRAM capsule (type 0) carrying one UDP payload with context id 0. */
export declare function encodeDatagramCapsule(payload: Uint8Array): Buffer;
/** Splits capsules from a byte stream; calls `onDatagram(payload)` for each DATAGRAM capsule. */
export declare function createCapsuleReader(onDatagram: (payload: Buffer) => void): (chunk: Buffer) => void;
