import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginMetadata } from '@agentplug/models';
import { createCommandFailure } from '../program/command-failure';
import { ExitCode } from '../program/exit-codes';

/**
 * Refuses a plugin whose package.json and plugin.json name different versions: the plugin has
 * one version number, and a release must not ship under a number its author did not mean.
 * A folder without package.json (or without a version in it) has nothing to drift from.
 * @throws PluginError VALIDATION_FAILED naming both versions
 */
export async function checkVersions(pluginPath: string, manifest: PluginMetadata): Promise<void> {
  let packageVersion: unknown;
  try {
    packageVersion = (
      JSON.parse(await readFile(join(pluginPath, 'package.json'), 'utf8')) as { version?: unknown }
    ).version;
  } catch {
    return;
  }
  if (typeof packageVersion !== 'string' || packageVersion === manifest.version) return;
  throw createCommandFailure(
    'VALIDATION_FAILED',
    `plugin.json says version ${manifest.version} but package.json says ${packageVersion}: a plugin has one version`,
    ExitCode.VALIDATION_FAILED,
    {
      details: { manifestVersion: manifest.version, packageVersion },
      hint: 'Set the same version in both files (npm version changes package.json only).',
    },
  );
}
