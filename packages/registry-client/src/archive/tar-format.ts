/** Size of a tar block. */
export const BLOCK_SIZE = 512;

/** The fixed modification time written into every packed entry (npm's choice: 1985-10-26T08:15:00Z). */
export const FIXED_MTIME_SECONDS = 499_162_500;

/** One header as read from an archive. */
export interface TarHeader {
  name: string;
  mode: number;
  size: number;
  type: string;
  linkName: string;
  prefix: string;
  checksumValid: boolean;
}

function writeText(block: Buffer, text: string, offset: number, length: number): void {
  block.write(text, offset, length, 'utf8');
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  writeText(block, `${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
}

function readText(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

function readOctal(block: Buffer, offset: number, length: number): number {
  const first = block[offset] ?? 0;
  // base-256 numbers (GNU extension) are refused: no legitimate plugin file needs them
  if (first & 0x80) return Number.NaN;
  const text = readText(block, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

function computeChecksum(block: Buffer): number {
  let sum = 0;
  for (let index = 0; index < BLOCK_SIZE; index += 1) {
    sum += index >= 148 && index < 156 ? 32 : (block[index] ?? 0);
  }
  return sum;
}

/** Encodes a ustar header for a regular file (`type` '0') or a pax extended header (`type` 'x'). */
export function encodeHeader(options: { name: string; size: number; mode: number; type: '0' | 'x' }): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  writeText(block, options.name, 0, 100);
  writeOctal(block, options.mode, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, options.size, 124, 12);
  writeOctal(block, FIXED_MTIME_SECONDS, 136, 12);
  writeText(block, options.type, 156, 1);
  writeText(block, 'ustar\0', 257, 6);
  writeText(block, '00', 263, 2);
  writeText(block, `${computeChecksum(block).toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** Decodes a header block; `checksumValid` says whether its checksum matched. */
export function decodeHeader(block: Buffer): TarHeader {
  const stored = readOctal(block, 148, 8);
  const isUstar = block.toString('latin1', 257, 262) === 'ustar';
  return {
    name: readText(block, 0, 100),
    mode: readOctal(block, 100, 8),
    size: readOctal(block, 124, 12),
    type: String.fromCharCode(block[156] ?? 0),
    linkName: readText(block, 157, 100),
    prefix: isUstar ? readText(block, 345, 155) : '',
    checksumValid: stored === computeChecksum(block),
  };
}

/** Encodes pax extended header records (`"<length> <key>=<value>\n"`). */
export function encodePaxRecords(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) {
      length = String(length).length + Buffer.byteLength(body);
    }
    return `${length}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

/** Decodes pax extended header records; returns undefined when they are malformed. */
export function decodePaxRecords(data: Buffer): Record<string, string> | undefined {
  // Keys come from the archive: a null prototype keeps `__proto__` an ordinary record.
  const records: Record<string, string> = Object.create(null);
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) return undefined;
    const length = Number.parseInt(data.toString('latin1', offset, space), 10);
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) return undefined;
    const record = data.toString('utf8', space + 1, offset + length - 1);
    const equals = record.indexOf('=');
    if (equals === -1) return undefined;
    records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

/** Bytes of padding after `size` bytes of data, up to the next block. */
export function paddingAfter(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}
