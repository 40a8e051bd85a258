import { posix } from 'node:path';
import type { FindingCapability, PluginPermissions } from '@agentplug/models';
import { normaliseSpecifier } from '../scan/module-table';
import {
  type CapabilityUse,
  displayPath,
  type ImportRecord,
  PLUGIN_FOLDER_MARKER,
} from '../scan/scan-result';
import type { ResolvedSecurityConfig } from './security-config';
import type { ValidationIssue } from './validation-issue';

/** An import with the file it is in. */
export interface LocatedImport extends ImportRecord {
  file: string;
}

/** Inputs of {@link crossCheckPermissions}. */
export interface CrossCheckOptions {
  uses: readonly CapabilityUse[];
  imports: readonly LocatedImport[];
  /** The declared permissions, or undefined when the manifest did not parse. */
  permissions: PluginPermissions | undefined;
  config: ResolvedSecurityConfig;
}

function at(use: CapabilityUse): Pick<ValidationIssue, 'file' | 'line' | 'column'> {
  return { file: use.finding.file, line: use.finding.line, column: use.finding.column };
}

/** Whether `host` (`name` or `name:port`) is covered by a network_hosts entry. */
export function hostMatches(host: string, declared: string): boolean {
  const [hostName, hostPort] = splitHostPort(host.toLowerCase());
  const [declaredName, declaredPort] = splitHostPort(declared.toLowerCase());
  if (declaredPort !== undefined && declaredPort !== hostPort) return false;
  if (declaredName.startsWith('*.')) return hostName.endsWith(declaredName.slice(1));
  return hostName === declaredName;
}

function splitHostPort(host: string): [string, string | undefined] {
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(host);
  if (bracketed) return [bracketed[1]!, bracketed[2]];
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(':') === colon) return [host.slice(0, colon), host.slice(colon + 1)];
  return [host, undefined];
}

function normaliseDeclaredPath(path: string): string {
  const trimmed = path.replace(/\\/g, '/').replace(/\/\*\*?$/, '');
  if (trimmed.startsWith('/')) return posix.normalize(trimmed).replace(/\/$/, '') || '/';
  const normalised = posix.normalize(trimmed).replace(/\/$/, '');
  return normalised === '.' ? '' : normalised;
}

/**
 * Whether a folded path is covered by a declared path. A relative declared path is inside the
 * plugin folder; a relative use is matched as written, because it resolves against the host's
 * working directory, not the plugin's.
 */
export function pathMatches(target: string, declared: string): boolean {
  const wanted = normaliseDeclaredPath(declared);
  let used: string;
  if (target.startsWith(PLUGIN_FOLDER_MARKER)) {
    if (wanted.startsWith('/')) return false;
    used = posix.normalize(target.slice(PLUGIN_FOLDER_MARKER.length).replace(/^\/*/, '')).replace(/\/$/, '');
    if (used === '.') used = '';
  } else {
    used = posix.normalize(target.replace(/\\/g, '/'));
    if (used !== '/') used = used.replace(/\/$/, '');
  }
  if (wanted === '' || wanted === '/') return wanted === '' ? !used.startsWith('/') : used.startsWith('/');
  return used === wanted || used.startsWith(`${wanted}/`);
}

/** Whether a module specifier is blocked by a blockedImports entry (a name blocks its subpaths). */
function importBlocked(specifier: string, blocked: string): boolean {
  const name = normaliseSpecifier(specifier);
  return name === blocked || name.startsWith(`${blocked}/`);
}

const BLOCKED_CALL_CODES: ReadonlyMap<string, string> = new Map([
  ['eval', 'EVAL_CALL'],
  ['Function', 'FUNCTION_CONSTRUCTOR'],
]);

/**
 * Compares what the code uses with what the manifest declares: undeclared literal hosts, paths
 * and variables are errors; uses whose target is not statically known are warnings; declared
 * but unused permissions are warnings (least privilege); blocked capabilities and imports are
 * errors.
 */
export function crossCheckPermissions(options: CrossCheckOptions): ValidationIssue[] {
  const { uses, config } = options;
  const issues: ValidationIssue[] = [];
  const blocked = new Set<FindingCapability>(config.blockedCapabilities);
  for (const use of uses) {
    if (blocked.has(use.finding.capability)) {
      issues.push({
        code: 'BLOCKED_CAPABILITY',
        severity: 'error',
        ...at(use),
        message: `${use.finding.message}: the security config blocks ${use.finding.capability} (${use.finding.code})`,
      });
    }
  }
  for (const entry of config.blockedImports) {
    const code = BLOCKED_CALL_CODES.get(entry);
    if (code !== undefined) {
      for (const use of uses) {
        if (use.finding.code === code) {
          issues.push({
            code: 'BLOCKED_IMPORT',
            severity: 'error',
            ...at(use),
            message: `${use.finding.message}: "${entry}" is in blockedImports`,
          });
        }
      }
      continue;
    }
    for (const record of options.imports) {
      if (importBlocked(record.specifier, entry)) {
        issues.push({
          code: 'BLOCKED_IMPORT',
          severity: 'error',
          file: record.file,
          line: record.line,
          column: record.column,
          message: `imports "${record.specifier}", which blockedImports forbids`,
        });
      }
    }
  }
  const permissions = options.permissions;
  if (permissions === undefined) return issues;
  issues.push(...checkNetwork(uses, permissions.network_hosts));
  issues.push(...checkPaths(uses, 'filesystem_read', permissions.filesystem_read));
  issues.push(...checkPaths(uses, 'filesystem_write', permissions.filesystem_write));
  issues.push(...checkEnvironment(uses, permissions.environment_variables));
  return issues;
}

function unused(kind: string, entry: string): ValidationIssue {
  return {
    code: 'UNUSED_PERMISSION',
    severity: 'warning',
    file: 'plugin.json',
    path: `$.permissions.${kind}`,
    message: `declares ${JSON.stringify(entry)} but no detected use needs it; remove it (least privilege)`,
  };
}

function checkNetwork(uses: readonly CapabilityUse[], hosts: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // Requests, and values that can make them escaping where the scan cannot follow (targets unknown).
  const requests = uses.filter(
    (use) => use.finding.capability === 'network' && use.finding.code !== 'NETWORK_MODULE',
  );
  const imports = uses.filter((use) => use.finding.code === 'NETWORK_MODULE');
  let unknownTargets = false;
  for (const use of requests) {
    if ((use.target === null || use.target === undefined) && hosts.length === 0) {
      unknownTargets = true;
      issues.push({
        code: 'UNDECLARED_NETWORK',
        severity: 'error',
        ...at(use),
        message: `${use.finding.message}, but permissions.network_hosts declares no host`,
      });
    } else if (use.target === null || use.target === undefined) {
      unknownTargets = true;
      issues.push({
        code: 'UNKNOWN_NETWORK_TARGET',
        severity: 'warning',
        ...at(use),
        message: `${use.finding.message}; check it stays within network_hosts`,
      });
    } else if (!hosts.some((declared) => hostMatches(use.target as string, declared))) {
      issues.push({
        code: 'UNDECLARED_HOST',
        severity: 'error',
        ...at(use),
        message: `connects to ${use.target}, which permissions.network_hosts does not declare`,
      });
    }
  }
  if (requests.length === 0) {
    for (const use of imports) {
      unknownTargets = true;
      issues.push({
        code: hosts.length === 0 ? 'UNDECLARED_NETWORK' : 'UNKNOWN_NETWORK_TARGET',
        severity: hosts.length === 0 ? 'error' : 'warning',
        ...at(use),
        message:
          hosts.length === 0
            ? `${use.finding.message}, but permissions.network_hosts declares no host`
            : `${use.finding.message}, but no request with a statically known target was found`,
      });
    }
  }
  if (!unknownTargets) {
    for (const declared of hosts) {
      const usedHere = requests.some(
        (use) => typeof use.target === 'string' && hostMatches(use.target, declared),
      );
      if (!usedHere) issues.push(unused('network_hosts', declared));
    }
  }
  return issues;
}

function checkPaths(
  uses: readonly CapabilityUse[],
  capability: 'filesystem_read' | 'filesystem_write',
  declaredPaths: readonly string[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const relevant = uses.filter((use) => use.finding.capability === capability);
  const verb = capability === 'filesystem_read' ? 'reads' : 'writes';
  let unknownTargets = false;
  for (const use of relevant) {
    if (typeof use.target !== 'string' && capability === 'filesystem_write' && declaredPaths.length === 0) {
      unknownTargets = true;
      issues.push({
        code: 'UNDECLARED_WRITE_PATH',
        severity: 'error',
        ...at(use),
        message: `${use.finding.message}, but permissions.filesystem_write declares no path`,
      });
      continue;
    }
    if (typeof use.target !== 'string') {
      unknownTargets = true;
      issues.push({
        code: 'UNKNOWN_PATH',
        severity: 'warning',
        ...at(use),
        message: `${use.finding.message}; check it stays within permissions.${capability}`,
      });
      continue;
    }
    // The plugin may always read its own folder: that is where its code and data live.
    if (capability === 'filesystem_read' && use.target.startsWith(PLUGIN_FOLDER_MARKER)) continue;
    if (!declaredPaths.some((declared) => pathMatches(use.target as string, declared))) {
      issues.push({
        code: capability === 'filesystem_read' ? 'UNDECLARED_READ_PATH' : 'UNDECLARED_WRITE_PATH',
        severity: 'error',
        ...at(use),
        message: `${verb} ${displayPath(use.target)}, which permissions.${capability} does not declare`,
      });
    }
  }
  if (!unknownTargets) {
    for (const declared of declaredPaths) {
      const usedHere = relevant.some(
        (use) => typeof use.target === 'string' && pathMatches(use.target, declared),
      );
      if (!usedHere) issues.push(unused(capability, declared));
    }
  }
  return issues;
}

function checkEnvironment(uses: readonly CapabilityUse[], names: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const reads = uses.filter((use) => use.finding.capability === 'env');
  let unknownTargets = false;
  for (const use of reads) {
    if (typeof use.target !== 'string') {
      unknownTargets = true;
      issues.push({
        code: 'UNKNOWN_ENV_VARIABLE',
        severity: 'warning',
        ...at(use),
        message: `${use.finding.message}; only declared environment_variables are available in a worker`,
      });
    } else if (!names.includes(use.target)) {
      issues.push({
        code: 'UNDECLARED_ENV_VARIABLE',
        severity: 'error',
        ...at(use),
        message: `reads process.env.${use.target}, which permissions.environment_variables does not declare`,
      });
    }
  }
  if (!unknownTargets) {
    for (const name of names) {
      if (!reads.some((use) => use.target === name)) issues.push(unused('environment_variables', name));
    }
  }
  return issues;
}
