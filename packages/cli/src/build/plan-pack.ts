import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listEntryPointCandidates, PluginError, type PluginMetadata, readManifest } from '@agentplug/models';
import type { PluginFileEntry } from '@agentplug/registry-client';
import { findPackageImports } from './find-package-imports';

/** What `pack` would ship and why. */
export interface PackPlan {
  manifest: PluginMetadata;
  /** The files that ship, sorted, with sizes. */
  files: PluginFileEntry[];
  /** The built entry module, relative to the plugin folder (undefined when it does not exist yet). */
  entryFile: string | undefined;
  /** Packages the entry imports instead of bundling them; they ship from node_modules. */
  packageImports: string[];
  /** Whether node_modules (its production part) ships. */
  includeNodeModules: boolean;
}

async function findEntryFile(pluginPath: string, entryPoint: string): Promise<string | undefined> {
  for (const candidate of listEntryPointCandidates(entryPoint)) {
    const info = await stat(join(pluginPath, candidate)).catch(() => undefined);
    if (info?.isFile()) return candidate;
  }
  return undefined;
}

/**
 * Decides what a plugin folder ships: a bundled entry ships without node_modules; an entry that
 * imports packages ships the production part of its node_modules, and every package it imports
 * must be there, so the installed plugin needs nothing from the host.
 * @throws PluginError ENTRY_NOT_FOUND (not built yet, when `requireEntry`), ENTRY_INVALID (an
 * imported package would not ship), and {@link listPluginFiles}'s codes
 */
export async function planPack(pluginPath: string, options: { requireEntry: boolean }): Promise<PackPlan> {
  const { manifest } = await readManifest(pluginPath);
  const entryFile = await findEntryFile(pluginPath, manifest.entry_point);
  if (entryFile === undefined && options.requireEntry) {
    throw new PluginError(
      'ENTRY_NOT_FOUND',
      `entry_point "${manifest.entry_point}" names no file in ${pluginPath} (tried ${listEntryPointCandidates(manifest.entry_point).slice(0, 3).join(', ')}, ...): build the plugin first (npm run build)`,
    );
  }
  const packageImports = entryFile === undefined ? [] : await findPackageImports(pluginPath, entryFile);
  const includeNodeModules = packageImports.length > 0;
  const { listPluginFiles } = await import('@agentplug/registry-client');
  const { files } = await listPluginFiles(pluginPath, { includeNodeModules });
  const missing = packageImports.filter(
    (name) => !files.some((file) => file.path.startsWith(`node_modules/${name}/`)),
  );
  if (missing.length > 0 && options.requireEntry) {
    throw new PluginError(
      'ENTRY_INVALID',
      `${entryFile} imports ${missing.join(', ')}, which would not ship: bundle it with "agentplug build", or list it in package.json's dependencies and npm install`,
      { details: { entryFile, missing } },
    );
  }
  return { manifest, files, entryFile, packageImports, includeNodeModules };
}
