import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatIssues, type PluginMetadataInput, readManifest } from '@agentplug/models';
import {
  checkManifest,
  createCapabilities,
  createConfigSchema,
  isPluginDefinition,
  type PluginDefinitionInfo,
} from '@agentplug/sdk';
import type { Command } from 'commander';
import { createCommandFailure } from '../program/command-failure';
import { ExitCode } from '../program/exit-codes';
import { formatBytes, printJson, printLine } from '../program/output';

interface PackOptions {
  outDir?: string;
  writeManifest?: boolean;
  check?: boolean;
  json?: boolean;
}

/** What `pack` learned about plugin.json and the sdk definition in the entry module. */
export interface ManifestCheck {
  /** `matched`: plugin.json agrees with the code; `written`: regenerated; `not-sdk`: the entry is not an sdk definition. */
  status: 'matched' | 'written' | 'not-sdk' | 'skipped';
}

async function findDefinition(
  pluginPath: string,
  entryPoint: string,
): Promise<PluginDefinitionInfo | undefined> {
  const { resolveEntryPoint } = await import('@agentplug/loader');
  const entryModulePath = await resolveEntryPoint(pluginPath, entryPoint);
  let moduleExports: Record<string, unknown>;
  try {
    moduleExports = (await import(pathToFileURL(entryModulePath).href)) as Record<string, unknown>;
  } catch (error) {
    throw createCommandFailure(
      'ENTRY_INVALID',
      `cannot import ${entryModulePath}: ${error instanceof Error ? error.message : String(error)}`,
      ExitCode.VALIDATION_FAILED,
      { cause: error, hint: 'Build the plugin first (npm run build), or pass --no-check.' },
    );
  }
  const defaultExport = moduleExports.default as Record<string, unknown> | undefined;
  const candidates = [
    moduleExports.createPlugin,
    moduleExports.Plugin,
    moduleExports.default,
    defaultExport?.createPlugin,
  ];
  return candidates.find((candidate) => isPluginDefinition(candidate)) as PluginDefinitionInfo | undefined;
}

/**
 * Checks plugin.json against the sdk definition the entry module exports (or rewrites its
 * generated parts with `write`). A plugin not written with the sdk is left as it is.
 * @throws PluginError VALIDATION_FAILED listing every drift
 */
export async function checkPluginManifest(
  pluginPath: string,
  options: { write: boolean },
): Promise<ManifestCheck> {
  const { manifest, manifestPath } = await readManifest(pluginPath);
  const definition = await findDefinition(pluginPath, manifest.entry_point);
  if (definition === undefined) return { status: 'not-sdk' };
  const raw = JSON.parse(await readFile(manifestPath, 'utf8')) as PluginMetadataInput;
  const drift = checkManifest(definition, raw);
  if (drift.length === 0) return { status: 'matched' };
  if (options.write) {
    const configSchema = createConfigSchema(definition);
    const updated: PluginMetadataInput = {
      ...raw,
      plugin_type: definition.pluginType,
      capabilities: createCapabilities(definition),
      ...(configSchema === undefined ? {} : { config_schema: configSchema }),
    };
    await writeFile(manifestPath, `${JSON.stringify(updated, null, 2)}\n`);
    return { status: 'written' };
  }
  throw createCommandFailure(
    'VALIDATION_FAILED',
    `plugin.json does not match the code: ${formatIssues(drift).replaceAll('\n', '; ')}`,
    ExitCode.VALIDATION_FAILED,
    {
      details: { issues: drift },
      hint: 'Run agentplug pack --write-manifest to regenerate plugin.json from the code.',
    },
  );
}

/** Registers `agentplug pack [dir]`. */
export function registerPackCommand(program: Command): void {
  program
    .command('pack')
    .description('build the .tgz archive the marketplace accepts; prints its size and sha256')
    .argument('[dir]', 'plugin folder', '.')
    .option('-o, --out-dir <dir>', 'where to write <plugin_id>-<version>.tgz (default: the current folder)')
    .option(
      '--write-manifest',
      "regenerate plugin.json's capabilities and config_schema from the sdk definition",
    )
    .option('--no-check', 'do not import the entry module to check plugin.json against the sdk definition')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug pack
  $ agentplug pack plugins/calculator --out-dir dist-archives
  $ agentplug pack --write-manifest

Before packing, plugin.json is compared with the sdk definition the entry module exports
(importing the built entry module); plugins written without the sdk are packed as they are.

Exit codes: 0 packed, 3 plugin.json missing, invalid or out of date with the code.`,
    )
    .action(async (directory: string, options: PackOptions) => {
      const pluginPath = resolve(directory);
      const check: ManifestCheck =
        options.check === false
          ? { status: 'skipped' }
          : await checkPluginManifest(pluginPath, { write: options.writeManifest === true });
      const outputDirectory = resolve(options.outDir ?? '.');
      const { packPlugin } = await import('@agentplug/registry-client');
      const result = await packPlugin(pluginPath, { outputDirectory });
      const archivePath = result.archivePath ?? join(outputDirectory, result.fileName);
      if (options.json) {
        printJson({
          pluginId: result.manifest.plugin_id,
          version: result.manifest.version,
          archivePath,
          size: result.size,
          sha256: result.sha256,
          files: result.files,
          manifest: check.status,
        });
        return;
      }
      if (check.status === 'written') printLine('plugin.json: regenerated from the sdk definition');
      if (check.status === 'matched') printLine('plugin.json: matches the sdk definition');
      printLine(
        `packed ${result.manifest.plugin_id}@${result.manifest.version} (${result.files.length} files)`,
      );
      printLine(`  archive: ${archivePath}`);
      printLine(`  size:    ${formatBytes(result.size)} (${result.size} bytes)`);
      printLine(`  sha256:  ${result.sha256}`);
    });
}
