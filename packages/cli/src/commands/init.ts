import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isValidPluginId, PluginError, type PluginType } from '@agentplug/models';
import type { Command } from 'commander';
import { TEMPLATE_TYPES } from '../init/plugin-templates';
import { createProjectFiles, SDK_RANGE } from '../init/project-files';
import { printJson, printLine } from '../program/output';

interface InitOptions {
  id?: string;
  name?: string;
  type: string;
  author: string;
  sdkPath?: string;
  force?: boolean;
  json?: boolean;
}

const INIT_TYPES: readonly PluginType[] = TEMPLATE_TYPES;

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'plugin'
  );
}

function titleCase(slug: string): string {
  return slug
    .split('-')
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ');
}

async function isEmptyOrMissing(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** Writes a new plugin project into `directory`. */
export async function initProject(directory: string, options: InitOptions): Promise<{ files: string[] }> {
  const folder = resolve(directory);
  const slug = slugify(basename(folder));
  const pluginId = options.id ?? `com.example.${slug}`;
  if (!isValidPluginId(pluginId)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `plugin id "${pluginId}" is not reverse-DNS (like com.example.my-plugin): pass --id`,
    );
  }
  if (!INIT_TYPES.includes(options.type as PluginType)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `--type must be one of ${INIT_TYPES.join(', ')}, not "${options.type}"`,
    );
  }
  if (!options.force && !(await isEmptyOrMissing(folder))) {
    throw new PluginError('INVALID_ARGUMENT', `${folder} is not empty: choose a new folder or pass --force`);
  }
  const sdkPath = options.sdkPath ?? process.env.AGENTPLUG_SDK_PATH;
  const files = createProjectFiles({
    pluginId,
    name: options.name ?? titleCase(slug),
    pluginType: options.type as PluginType,
    author: options.author,
    sdkDependency: sdkPath ? `file:${relative(folder, resolve(sdkPath)) || '.'}` : SDK_RANGE,
    linkedSdk: sdkPath !== undefined && sdkPath !== '',
  });
  for (const [path, content] of Object.entries(files)) {
    const target = join(folder, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return { files: Object.keys(files) };
}

/** Registers `agentplug init [dir]`. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a new TypeScript plugin project (sdk, build, test, plugin.json with $schema)')
    .argument('[dir]', 'folder to create the project in', '.')
    .option('--id <pluginId>', 'reverse-DNS plugin id (default com.example.<folder name>)')
    .option('--name <name>', 'human-readable plugin name (default from the folder name)')
    .option('--type <type>', `plugin type: ${INIT_TYPES.join(', ')}`, 'tool')
    .option('--author <author>', 'author written into plugin.json', 'Unknown author')
    .option(
      '--sdk-path <path>',
      'depend on a local @agentplug/sdk checkout (link:) instead of the npm range (also AGENTPLUG_SDK_PATH)',
    )
    .option('--force', 'write into a folder that is not empty')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ npx @agentplug/cli init my-plugin
  $ npx @agentplug/cli init weather --id com.acme.weather --name "Weather" --author "Acme"
  $ npx @agentplug/cli init audit-log --type middleware
  $ cd my-plugin && npm install && npm run build && npm test

Exit codes: 0 created, 2 bad argument (invalid id or type, folder not empty).`,
    )
    .action(async (directory: string, options: InitOptions) => {
      const result = await initProject(directory, options);
      const folder = resolve(directory);
      if (options.json) {
        printJson({ directory: folder, files: result.files });
        return;
      }
      printLine(`Created a plugin project in ${folder}:`);
      for (const file of result.files) printLine(`  ${file}`);
      printLine('');
      printLine('Next:');
      printLine(`  cd ${relative(process.cwd(), folder) || '.'}`);
      printLine('  npm install && npm run build && npm test');
    });
}
