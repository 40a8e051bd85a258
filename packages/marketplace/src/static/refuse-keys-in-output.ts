import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PluginError } from '@agentplug/models';
import { scanForSecrets } from '@agentplug/registry-client';

/** A static site holds an index and archives; more entries than this are not a marketplace output. */
const MAX_ENTRIES = 100_000;
/** Key files and credentials are small; only this much of each file is read. */
const SCANNED_BYTES = 64 * 1024;

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SCANNED_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SCANNED_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Why a file's head looks like key material, or undefined. */
function describeKeyMaterial(head: Buffer, privateKeyText: string): string | undefined {
  const text = head.toString('latin1');
  if (privateKeyText !== '' && text.includes(privateKeyText)) return 'the signing key';
  if (/"privateKey"\s*:/.test(text)) return 'a key file (a "privateKey" member)';
  return scanForSecrets(head)?.kind;
}

/**
 * Refuses a static build whose output folder already holds key material (the signing key, a key
 * file written by keygen, a PEM private key or a provider token), since every file in that folder
 * is meant to be served to anyone. Archives (gzip) are skipped: they were checked when packed.
 * @throws PluginError SECRET_DETECTED naming the file; INVALID_ARGUMENT when the folder is past any marketplace's size
 */
export async function refuseKeysInOutput(outputDirectory: string, privateKeyText: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(outputDirectory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new PluginError('INVALID_ARGUMENT', `cannot read the output folder ${outputDirectory}`, {
      cause: error,
    });
  }
  if (entries.length > MAX_ENTRIES) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `${outputDirectory} holds ${entries.length} entries; build into an empty folder or an earlier build's output`,
    );
  }
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.tgz')) continue;
    const path = join(entry.parentPath, entry.name);
    const found = describeKeyMaterial(await readHead(path), privateKeyText);
    if (found !== undefined) {
      throw new PluginError(
        'SECRET_DETECTED',
        `${relative(outputDirectory, path)} in the output folder holds ${found}; everything there is served to anyone: move it out (keep the signing key outside the output), then build again`,
        { details: { path } },
      );
    }
  }
}
