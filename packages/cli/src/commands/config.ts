import { isJsonObject, PluginError } from '@agentplug/models';
import type { InstalledConfig } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { confirmOrDecline } from '../program/confirm';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { escapeJsonForTerminal, escapeTerminalText } from '../program/terminal-text';

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
  // Pretty JSON keeps its line breaks; JSON already escapes the C0 controls inside its strings.
  printLine(escapeJsonForTerminal(JSON.stringify(result.effective, null, 2)));
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
  $ agentplug config unset com.example.greeter config.greeting --yes

Replacing a value already set (set) and removing one (unset) ask first; with no terminal they
need --yes, else they exit 6 and change nothing.`,
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
    .option('-y, --yes', 'replace a value already set without asking')
    .option('--json', 'print the resulting configuration as JSON');
  addRegistryOptions(set, { marketplace: false }).action(
    async (
      pluginId: string,
      key: string,
      value: string,
      options: { json?: boolean; yes?: boolean },
      self: Command,
    ) => {
      const segments = parseConfigKey(key);
      const next = parseConfigValue(value);
      const result = await withRegistry(self, { marketplace: false }, async (registry) => {
        const current = await registry.readInstalledConfig(pluginId);
        const previous = readAt(current.operator, segments);
        // Setting a key the operator has not set adds; changing one the operator set replaces it.
        if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(next)) {
          await confirmOrDecline(
            `Replace ${key} of ${pluginId} (now ${escapeTerminalText(JSON.stringify(previous))})?`,
            { yes: options.yes, action: `replacing ${key} of ${pluginId}` },
          );
        }
        return registry.writeOperatorConfig(pluginId, writeAt(current.operator ?? {}, segments, next));
      });
      if (options.json) printConfig(result, undefined, true);
      else printLine(`set ${key} of ${pluginId} in ${result.operatorConfigPath}`);
    },
  );
  const unset = config
    .command('unset')
    .description("remove one key from a plugin's operator configuration (its default applies again)")
    .argument('<id>', 'plugin id')
    .argument('<key>', 'dotted key, e.g. config.greeting')
    .option('-y, --yes', 'remove without asking');
  addRegistryOptions(unset, { marketplace: false }).action(
    async (pluginId: string, key: string, options: { yes?: boolean }, self: Command) => {
      const segments = parseConfigKey(key);
      const result = await withRegistry(self, { marketplace: false }, async (registry) => {
        const current = await registry.readInstalledConfig(pluginId);
        const previous = readAt(current.operator, segments);
        if (previous === undefined) return { removed: false, path: current.operatorConfigPath };
        await confirmOrDecline(
          `Remove ${key} (${escapeTerminalText(JSON.stringify(previous))}) from ${pluginId}'s operator configuration?`,
          { yes: options.yes, action: `removing ${key} of ${pluginId}` },
        );
        const next = writeAt(current.operator ?? {}, segments, undefined);
        const written = await registry.writeOperatorConfig(
          pluginId,
          Object.keys(next).length === 0 ? undefined : next,
        );
        return { removed: true, path: written.operatorConfigPath };
      });
      printLine(
        result.removed
          ? `unset ${key} of ${pluginId} in ${result.path}`
          : `${key} of ${pluginId} is not set in ${result.path}: nothing to remove`,
      );
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
