import { resolve } from 'node:path';
import type { Command } from 'commander';
import { bundlePlugin } from '../build/bundle-plugin';
import { formatBytes, printJson, printLine } from '../program/output';

interface BuildOptions {
  entry?: string;
  sourcemap?: boolean;
  json?: boolean;
}

/** Registers `agentplug build [dir]`. */
export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      "bundle the plugin's source and its dependencies into the file plugin.json's entry_point names",
    )
    .argument('[dir]', 'plugin folder', '.')
    .option('--entry <file>', 'source module to bundle (default src/<entry name>.ts, .mts, .js or .mjs)')
    .option('--sourcemap', 'write a source map beside the bundle')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ agentplug build
  $ agentplug build plugins/weather --entry src/index.ts

The bundle holds the plugin's code and every package it imports (the sdk's runtime included), so
the installed plugin needs nothing from any node_modules and runs in every isolation tier. Node
built-ins stay imports. TypeScript is transpiled, not type-checked: run tsc --noEmit first.
The bundle refuses code generation from strings (new Function), which the validator blocks.

Exit codes: 0 built, 2 bad option, 3 plugin.json missing or invalid, 1 the source does not bundle.`,
    )
    .action(async (directory: string, options: BuildOptions) => {
      const result = await bundlePlugin(resolve(directory), {
        entry: options.entry,
        sourcemap: options.sourcemap === true,
      });
      if (options.json) {
        printJson(result);
        return;
      }
      printLine(`bundled ${result.entry} -> ${result.outputFile} (${formatBytes(result.size)})`);
      if (result.packages.length > 0) printLine(`  with ${result.packages.join(', ')}`);
    });
}
