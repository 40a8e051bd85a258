import { isJsonObject, PluginError } from '@agentplug/models';
import type { InstalledConfig } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { escapeTerminalText } from '../program/terminal-text';

/**
 * Splits a dotted key (`config.greeting`, `enabled`, `sandbox_config_override.isolation`) into its
 * segments; a key naming none of config.json's own keys is taken as one of the plugin's settings.
 * @throws PluginError INVALID_ARGUMENT for an empty segment or a prototype key
 */
export function parseConfigKey(key: string): string[] {
  const segments = key.split('.');
  if (
    segments.some(
      (segment) =>
        segment === '' || segment === '__proto__' || segment === 'prototype' || segment === 'constructor',
    )
  ) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${escapeTerminalText(key)}" is not a configuration key (try config.<setting> or enabled)`,
    );
  }
  return segments;
}

/** A value as typed: JSON when it parses (`15`, `true`, `["a"]`, `"x"`), else the text itself. */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readAt(document: unknown, segments: readonly string[]): unknown {
  let current = document;
  for (const segment of segments) {
    if (!isJsonObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** `document` with the value at `segments` set (or removed when `value` is undefined); a new object. */
function writeAt(
  document: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [first, ...rest] = segments as [string, ...string[]];
  const copy: Record<string, unknown> = { ...document };
  if (rest.length === 0) {
    if (value === undefined) delete copy[first];
    else copy[first] = value;
    return copy;
  }
  const child = isJsonObject(copy[first]) ? (copy[first] as Record<string, unknown>) : {};
  const updated = writeAt(child, rest, value);
  if (Object.keys(updated).length === 0 && value === undefined) delete copy[first];
  else copy[first] = updated;
  return copy;
}

function printConfig(result: InstalledConfig, key: string | undefined, json: boolean | undefined): void {
  const value = key === undefined ? result.effective : readAt(result.effective, parseConfigKey(key));
  if (json) {
    // Keys inside are the plugin's own: printed as they are.
    printJson(
      key === undefined
        ? {
            plugin_id: result.pluginId,
            version: result.version,
            operator_config_path: result.operatorConfigPath,
            operator: result.operator ?? null,
            effective: result.effective,
          }
        : (value ?? null),
      { verbatim: true },
    );
    return;
  }
  if (key !== undefined) {
    printLine(escapeTerminalText(JSON.stringify(value) ?? 'undefined'));
    return;
  }
  printLine(`${result.pluginId}@${result.version}`);
  printLine(
    `operator file: ${result.operatorConfigPath}${result.operator === undefined ? " (none yet: the plugin's defaults apply)" : ''}`,
  );
  printLine(escapeTerminalText(JSON.stringify(result.effective, null, 2)));
}

/** Registers `agentplug config get|set|unset|path`. */
export function registerConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .description("read and change the operator's configuration of installed plugins (kept across updates)")
    .addHelpText(
      'after',
      `
The operator's configuration of a plugin lives in <plugins dir>/agentplug-config/<id>.json, beside
agentplug-lock.json, never in the plugin's folder: updates keep it, and check it against each new
version's config_schema first. The loader reads the same file. The plugin's own config.json is only
its default.

Examples:
  $ agentplug config get com.example.greeter
  $ agentplug config set com.example.greeter config.greeting Bonjour
  $ agentplug config set com.example.greeter enabled false
  $ agentplug config unset com.example.greeter config.greeting`,
    );
  const get = config
    .command('get')
    .description('print the configuration a plugin runs with (or one key of it)')
    .argument('<id>', 'plugin id')
    .argument('[key]', 'dotted key, e.g. config.greeting')
    .option('--json', 'print it as JSON (keys as the plugin names them)');
  addRegistryOptions(get, { marketplace: false }).action(
    async (pluginId: string, key: string | undefined, options: { json?: boolean }, self: Command) => {
      const result = await withRegistry(self, { marketplace: false }, (registry) =>
        registry.readInstalledConfig(pluginId),
      );
      printConfig(result, key, options.json);
    },
  );
  const set = config
    .command('set')
    .description("set one key of a plugin's operator configuration, checked against its config_schema")
    .argument('<id>', 'plugin id')
    .argument('<key>', 'dotted key, e.g. config.greeting or enabled')
    .argument('<value>', 'JSON (15, true, ["a"]) or plain text')
    .option('--json', 'print the resulting configuration as JSON');
  addRegistryOptions(set, { marketplace: false }).action(
    async (pluginId: string, key: string, value: string, options: { json?: boolean }, self: Command) => {
      const result = await withRegistry(self, { marketplace: false }, async (registry) => {
        const current = await registry.readInstalledConfig(pluginId);
        return registry.writeOperatorConfig(
          pluginId,
          writeAt(current.operator ?? {}, parseConfigKey(key), parseConfigValue(value)),
        );
      });
      if (options.json) printConfig(result, undefined, true);
      else printLine(`set ${key} of ${pluginId} in ${result.operatorConfigPath}`);
    },
  );
  const unset = config
    .command('unset')
    .description("remove one key from a plugin's operator configuration (its default applies again)")
    .argument('<id>', 'plugin id')
    .argument('<key>', 'dotted key, e.g. config.greeting');
  addRegistryOptions(unset, { marketplace: false }).action(
    async (pluginId: string, key: string, _options: unknown, self: Command) => {
      const result = await withRegistry(self, { marketplace: false }, async (registry) => {
        const current = await registry.readInstalledConfig(pluginId);
        const next = writeAt(current.operator ?? {}, parseConfigKey(key), undefined);
        return registry.writeOperatorConfig(pluginId, Object.keys(next).length === 0 ? undefined : next);
      });
      printLine(`unset ${key} of ${pluginId} in ${result.operatorConfigPath}`);
    },
  );
  const path = config
    .command('path')
    .description("print where a plugin's operator configuration lives")
    .argument('<id>', 'plugin id');
  addRegistryOptions(path, { marketplace: false }).action(
    async (pluginId: string, _options: unknown, self: Command) => {
      const file = await withRegistry(self, { marketplace: false }, async (registry) =>
        registry.getOperatorConfigPath(pluginId),
      );
      printLine(file);
    },
  );
}
