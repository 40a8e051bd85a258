import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PluginConfigOverride } from '@agentplug/models';
import { writeFileAtomic } from './write-file-atomic';

/** Writes (atomically) or removes the operator's configuration file of one plugin. */
export async function writeOperatorConfigFile(
  path: string,
  document: PluginConfigOverride | undefined,
): Promise<void> {
  if (document === undefined) {
    await rm(path, { force: true });
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
}
