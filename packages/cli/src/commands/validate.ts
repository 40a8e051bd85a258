import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRiskAbove, MANIFEST_FILE_NAME, PluginError, RISK_LEVELS, type RiskLevel } from '@agentplug/models';
import type { Command } from 'commander';
import { planPack } from '../build/plan-pack';
import { validateShipped } from '../build/validate-shipped';
import { createCommandFailure } from '../program/command-failure';
import { ExitCode } from '../program/exit-codes';
import { printJson, printLine } from '../program/output';
import { readCliConfig } from '../program/settings';
import { withUserPaths } from '../program/user-paths';

interface ValidateOptions {
  json?: boolean;
  sarif?: boolean;
  maxRisk?: string;
}

/**
 * Reads a risk threshold from a flag, the config file, or the default `high`.
 * @throws PluginError INVALID_ARGUMENT for a value that is not a risk level
 */
export function parseRiskLevel(value: string | undefined, fallback: RiskLevel = 'high'): RiskLevel {
  if (value === undefined) return fallback;
  if (!RISK_LEVELS.includes(value as RiskLevel)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `risk level must be one of ${RISK_LEVELS.join(', ')}, not "${value}"`,
    );
  }
  return value as RiskLevel;
}

/**
 * What ships, as `pack` decides it. A plugin.json too broken to read leaves the validator only
 * plugin.json to look at, which it reports on in full.
 */
async function listShippedFiles(pluginPath: string): Promise<{ path: string }[]> {
  try {
    return (await planPack(pluginPath, { requireEntry: false })).files;
  } catch (error) {
    if (PluginError.is(error, 'MANIFEST_NOT_FOUND')) return [];
    if (PluginError.is(error) && error.code.startsWith('MANIFEST_')) return [{ path: MANIFEST_FILE_NAME }];
    throw error;
  }
}

/** Registers `agentplug validate [dir]`. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'run the validator on what a plugin folder ships (as pack decides it): manifest, code scan, permissions, score',
    )
    .argument('[dir]', 'plugin folder', '.')
    .option('--json', 'print the full result as JSON')
    .option('--sarif', 'print a SARIF 2.1.0 log (for code scanning in CI)')
    .option(
      '--max-risk <level>',
      'fail when the risk level is above this: low, medium, high, critical (default high)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug validate
  $ agentplug validate plugins/calculator --max-risk medium
  $ agentplug validate . --sarif > agentplug.sarif

Exit codes: 0 valid and within the threshold, 3 invalid or risk above the threshold, 2 bad option.`,
    )
    .action(async (directory: string, options: ValidateOptions, command: Command) => {
      const config = await readCliConfig(command.optsWithGlobals());
      const threshold = parseRiskLevel(options.maxRisk ?? config.riskThreshold);
      const pluginPath = resolve(directory);
      const folder = await stat(pluginPath).catch(() => undefined);
      if (!folder?.isDirectory()) {
        throw new PluginError(
          'INVALID_ARGUMENT',
          `${pluginPath} is not a plugin folder: pass the folder holding plugin.json`,
        );
      }
      const { formatValidationReport, toSarif } = await import('@agentplug/validator');
      const result = await validateShipped(pluginPath, await listShippedFiles(pluginPath));
      const aboveThreshold = isRiskAbove(result.riskLevel, threshold);
      if (options.sarif) printJson(toSarif(result, { pluginPath }), { verbatim: true });
      else if (options.json)
        printJson({ pluginPath, threshold, passed: result.valid && !aboveThreshold, ...result });
      // The report names the user's own files, as a compiler does: relative to here, else absolute.
      else printLine(formatValidationReport(withUserPaths(result, pluginPath)));
      if (!result.valid) {
        throw createCommandFailure(
          'VALIDATION_FAILED',
          `${pluginPath} failed validation with ${result.errors.length} error(s)`,
          ExitCode.VALIDATION_FAILED,
        );
      }
      if (aboveThreshold) {
        throw createCommandFailure(
          'VALIDATION_FAILED',
          `risk level ${result.riskLevel} (security score ${result.securityScore}) is above the threshold ${threshold}`,
          ExitCode.VALIDATION_FAILED,
          { hint: 'Remove the risky code the findings name, or raise --max-risk deliberately.' },
        );
      }
    });
}
