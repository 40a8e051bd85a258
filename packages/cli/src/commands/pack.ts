import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatIssues, type PluginMetadataInput, pathExists, readManifest } from '@agentplug/models';
import {
  checkManifest,
  createCapabilities,
  createConfigSchema,
  isPluginDefinition,
  type PluginDefinitionInfo,
} from '@agentplug/sdk';
import type { Command } from 'commander';
import { checkVersions } from '../build/check-versions';
import { type PackPlan, planPack } from '../build/plan-pack';
import { validateShipped } from '../build/validate-shipped';
import { createCommandFailure } from '../program/command-failure';
import { confirmOrDecline } from '../program/confirm';
import { ExitCode } from '../program/exit-codes';
import { formatBytes, printJson, printLine } from '../program/output';

interface PackOptions {
  outDir?: string;
  dryRun?: boolean;
  writeManifest?: boolean;
  check?: boolean;
  validate?: boolean;
  json?: boolean;
  yes?: boolean;
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
    .option('--dry-run', 'list the files that would ship, with their sizes, and write nothing')
    .option(
      '--write-manifest',
      "regenerate plugin.json's capabilities and config_schema from the sdk definition",
    )
    .option('--no-check', 'do not import the entry module to check plugin.json against the sdk definition')
    .option('--no-validate', 'do not run the validator on what ships before packing')
    .option('-y, --yes', 'replace an archive of the same name without asking')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug pack
  $ agentplug pack --dry-run
  $ agentplug pack plugins/calculator --out-dir dist-archives
  $ agentplug pack --write-manifest

What ships: everything in the folder except .git, node_modules, .env*, keys and certificates
(*.pem, *.key, id_rsa, ...), .npmrc, editor and OS files, logs and archives, and, when the plugin
has a build (a "build" script, entry outside src/), its sources, tests and tool configuration.
An .agentplugignore (gitignore syntax) leaves more out, or brings a file back with "!path".
node_modules ships (its production dependencies only) when the entry imports packages instead of
bundling them ("agentplug build" bundles them). A file that looks like a credential (a private
key, a provider's token) stops the pack unless .agentplugignore names it exactly with "!".

Before packing, plugin.json is compared with the sdk definition the entry module exports
(importing the built entry module), its version with package.json's, and what ships is validated.

An archive of the same name already in the output folder is replaced only after a "y" (or with
--yes); with no terminal and no --yes, pack exits 6 and leaves it as it was.

Exit codes: 0 packed, 1 a credential or an unshippable import, 3 plugin.json missing, invalid,
out of date with the code or the package version, or the plugin fails validation, 6 an archive of
the same name not replaced.`,
    )
    .action(async (directory: string, options: PackOptions) => {
      const pluginPath = resolve(directory);
      const { manifest } = await readManifest(pluginPath);
      await checkVersions(pluginPath, manifest);
      const checking = options.check !== false && options.dryRun !== true;
      const writing = checking && options.writeManifest === true;
      // Refusals first; then the question, before anything is written (--write-manifest included),
      // so a "no" changes nothing.
      let check: ManifestCheck =
        checking && !writing
          ? await checkPluginManifest(pluginPath, { write: false })
          : { status: 'skipped' };
      if (!options.dryRun) await confirmReplaceArchive(manifest, options);
      if (writing) check = await checkPluginManifest(pluginPath, { write: true });
      const plan = await planPack(pluginPath, { requireEntry: true });
      if (options.dryRun) {
        printDryRun(plan, options.json === true);
        return;
      }
      if (options.validate !== false) await refuseInvalid(pluginPath, plan);
      const outputDirectory = resolve(options.outDir ?? '.');
      const { packPlugin } = await import('@agentplug/registry-client');
      const result = await packPlugin(pluginPath, {
        outputDirectory,
        includeNodeModules: plan.includeNodeModules,
      });
      const archivePath = result.archivePath ?? join(outputDirectory, result.fileName);
      if (options.json) {
        printJson({
          pluginId: result.manifest.plugin_id,
          version: result.manifest.version,
          archivePath,
          size: result.size,
          sha256: result.sha256,
          files: result.files,
          entries: result.entries,
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

/** Asks before an archive of the same name in the output folder is replaced. */
async function confirmReplaceArchive(
  manifest: { plugin_id: string; version: string },
  options: PackOptions,
): Promise<void> {
  const { formatArchiveName } = await import('@agentplug/registry-client/protocol');
  const existing = join(
    resolve(options.outDir ?? '.'),
    formatArchiveName(manifest.plugin_id, manifest.version),
  );
  if (!(await pathExists(existing))) return;
  await confirmOrDecline(`Replace ${existing}?`, {
    yes: options.yes,
    action: `replacing ${existing}`,
    hint: 'Pass --yes to replace it, or --out-dir to write the archive elsewhere.',
  });
}

function printDryRun(plan: PackPlan, json: boolean): void {
  const total = plan.files.reduce((sum, file) => sum + file.size, 0);
  if (json) {
    printJson({
      pluginId: plan.manifest.plugin_id,
      version: plan.manifest.version,
      files: plan.files,
      totalSize: total,
      nodeModules: plan.includeNodeModules,
    });
    return;
  }
  printLine(`${plan.manifest.plugin_id}@${plan.manifest.version} would ship ${plan.files.length} files:`);
  const width = Math.max(...plan.files.map((file) => formatBytes(file.size).length));
  for (const file of plan.files) printLine(`  ${formatBytes(file.size).padStart(width)}  ${file.path}`);
  printLine(`total ${formatBytes(total)} before compression (nothing written: --dry-run)`);
}

/** Validates a copy of what ships; refuses to pack an invalid plugin. */
async function refuseInvalid(pluginPath: string, plan: PackPlan): Promise<void> {
  const result = await validateShipped(pluginPath, plan.files);
  if (result.valid) return;
  throw createCommandFailure(
    'VALIDATION_FAILED',
    `${pluginPath} failed validation, not packed: ${result.errors.join('; ')}`,
    ExitCode.VALIDATION_FAILED,
    { details: { errors: result.errors }, hint: 'Run agentplug validate for the full report.' },
  );
}
