import { gzipSync } from 'node:zlib';

/** One raw entry for a hand-made (possibly hostile) tar. */
export interface RawTarEntry {
  name: string;
  /** Tar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '5' folder, '6' FIFO. */
  type?: string;
  data?: Buffer | string;
  linkName?: string;
}

function header(entry: RawTarEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(entry.name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('14667330000\0', 136);
  block.write(entry.type ?? '0', 156);
  block.write(entry.linkName ?? '', 157, 100);
  block.write('ustar\0', 257);
  block.write('00', 263);
  let sum = 0;
  for (let index = 0; index < 512; index += 1) sum += index >= 148 && index < 156 ? 32 : (block[index] ?? 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** Builds a .tgz from raw entries, with no safety checks: for testing the extractor against attacks. */
export function buildRawTgz(entries: readonly RawTarEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    chunks.push(header(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  chunks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(chunks));
}
