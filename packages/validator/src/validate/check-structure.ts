import { listEntryPointCandidates } from '@agentplug/models';
import { FindingCodes } from '../scan/finding-codes';
import type { CapabilityUse } from '../scan/scan-result';
import type { CollectedFiles } from './collect-plugin-files';
import { followLinks, indexFilesAndLinks } from './follow-links';
import type { ResolvedSecurityConfig } from './security-config';
import type { ValidationIssue } from './validation-issue';

/** Files without an extension that are allowed in any plugin. */
const ALLOWED_BARE_NAMES: ReadonlySet<string> = new Set([
  'LICENSE',
  'LICENCE',
  'NOTICE',
  'README',
  'CHANGELOG',
  'AUTHORS',
  'COPYING',
]);

/** Dot files that are allowed in any plugin. */
const ALLOWED_DOT_FILES: ReadonlySet<string> = new Set([
  '.npmignore',
  '.gitignore',
  '.editorconfig',
  '.npmrc',
]);

/** package.json scripts npm runs on install. */
const INSTALL_SCRIPTS: readonly string[] = ['preinstall', 'install', 'postinstall', 'prepare'];

/**
 * The file `entryPoint` resolves to, by the one rule the loader follows too
 * (`listEntryPointCandidates` of `@agentplug/models`): the first candidate that is a file of the
 * folder, directly or through links that stay inside it.
 */
export function findEntryFile(entryPoint: string, collected: CollectedFiles): string | undefined {
  const { files, links } = indexFilesAndLinks(collected);
  return listEntryPointCandidates(entryPoint).find(
    (candidate) => files.has(candidate) || (links.size > 0 && files.has(followLinks(candidate, links))),
  );
}

function extensionAllowed(relativePath: string, allowed: readonly string[]): boolean {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  if (allowed.some((extension) => lower.endsWith(extension) && lower.length > extension.length)) return true;
  if (ALLOWED_DOT_FILES.has(name)) return true;
  const stem = name.split('.')[0] ?? '';
  return ALLOWED_BARE_NAMES.has(stem.toUpperCase()) && (name === stem || /\.(md|txt)$/i.test(name));
}

/** What the structure check found: issues, and capability uses the files themselves reveal. */
export interface StructureCheck {
  issues: ValidationIssue[];
  uses: CapabilityUse[];
  /** The file the entry point resolves to, when it does. */
  entryFile: string | undefined;
}

/** Inputs of {@link checkStructure}. */
export interface CheckStructureOptions {
  collected: CollectedFiles;
  config: ResolvedSecurityConfig;
  entryPoint: string | undefined;
  /** Text of the package.json files found, by relative path. */
  packageJsons: ReadonlyMap<string, string>;
}

/** Checks the folder's files: limits, extensions, links, native binaries, install scripts and the entry point. */
export function checkStructure(options: CheckStructureOptions): StructureCheck {
  const { collected, config } = options;
  const issues: ValidationIssue[] = [];
  const uses: CapabilityUse[] = [];
  const maxBytes = config.maxFileSizeMb * 1024 * 1024;
  if (collected.truncated) {
    issues.push({
      code: 'TOO_MANY_FILES',
      severity: 'error',
      message: `the plugin folder holds more than ${config.maxFiles} files (maxFiles); the rest were not checked`,
    });
  }
  for (const entry of collected.entries) {
    const file = entry.relativePath;
    if (entry.kind === 'link') {
      if (!entry.linkInside) {
        issues.push({
          code: 'LINK_OUTSIDE_FOLDER',
          severity: 'error',
          file,
          message: `is a link to ${JSON.stringify(entry.linkTarget)}, outside the plugin folder`,
        });
      }
      continue;
    }
    if (entry.kind === 'other') {
      issues.push({
        code: 'SPECIAL_FILE',
        severity: 'error',
        file,
        message: 'is not a regular file (a socket, pipe or device)',
      });
      continue;
    }
    if (entry.size > maxBytes) {
      issues.push({
        code: 'FILE_TOO_LARGE',
        severity: 'error',
        file,
        message: `is ${(entry.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${config.maxFileSizeMb} MiB (maxFileSizeMb)`,
      });
    }
    if (/\.node$/i.test(file)) {
      uses.push({
        finding: {
          code: 'NATIVE_BINARY',
          capability: 'native',
          severity: FindingCodes.NATIVE_BINARY.severity,
          file,
          line: 1,
          column: 1,
          message: 'is a native binary (.node addon)',
        },
        target: undefined,
      });
    } else if (!extensionAllowed(file, config.allowedExtensions)) {
      issues.push({
        code: 'EXTENSION_NOT_ALLOWED',
        severity: 'error',
        file,
        message: `has an extension that is not allowed (allowed: ${config.allowedExtensions.join(' ')})`,
      });
    }
  }
  for (const [file, text] of options.packageJsons) uses.push(...findInstallScripts(file, text));

  let entryFile: string | undefined;
  if (options.entryPoint !== undefined) {
    entryFile = findEntryFile(options.entryPoint, collected);
    if (entryFile === undefined) {
      issues.push({
        code: 'ENTRY_NOT_FOUND',
        severity: 'error',
        path: '$.entry_point',
        message: `entry_point "${options.entryPoint}" does not resolve to a module; tried ${listEntryPointCandidates(options.entryPoint).join(', ')}`,
      });
    }
  }
  return { issues, uses, entryFile };
}

function findInstallScripts(file: string, text: string): CapabilityUse[] {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
  } catch {
    return [];
  }
  if (scripts === null || typeof scripts !== 'object') return [];
  const uses: CapabilityUse[] = [];
  for (const name of INSTALL_SCRIPTS) {
    const command = (scripts as Record<string, unknown>)[name];
    if (typeof command !== 'string') continue;
    const line = text.slice(0, Math.max(0, text.indexOf(`"${name}"`))).split('\n').length;
    uses.push({
      finding: {
        code: 'INSTALL_SCRIPT',
        capability: 'shell',
        severity: FindingCodes.INSTALL_SCRIPT.severity,
        file,
        line,
        column: 1,
        message: `declares the install script "${name}": ${JSON.stringify(command.slice(0, 80))}`,
      },
      target: undefined,
    });
  }
  return uses;
}
