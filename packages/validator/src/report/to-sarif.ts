import { pathToFileURL } from 'node:url';
import type { FindingSeverity, PluginValidationResult } from '@agentplug/models';
import { type FindingCode, FindingCodes } from '../scan/finding-codes';
import type { ValidationIssue } from '../validate/validation-issue';

/** Options for {@link toSarif}. */
export interface ToSarifOptions {
  /** The plugin folder the result's relative paths are in; becomes the `PLUGINROOT` base URI. */
  pluginPath?: string;
  /** Tool version to report. */
  toolVersion?: string;
}

/** A SARIF 2.1.0 log (the subset this package writes). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

/** One run of a SARIF log. */
export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      informationUri: string;
      rules: {
        id: string;
        name: string;
        shortDescription: { text: string };
        properties: Record<string, unknown>;
      }[];
    };
  };
  originalUriBaseIds?: Record<string, { uri: string }>;
  results: SarifResult[];
  properties: Record<string, unknown>;
}

/** One result of a SARIF run. */
export interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations?: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number; startColumn: number };
    };
  }[];
  properties?: Record<string, unknown>;
}

const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

function levelOf(severity: FindingSeverity): 'error' | 'warning' | 'note' {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function location(
  file: string,
  line?: number,
  column?: number,
): NonNullable<SarifResult['locations']>[number] {
  return {
    physicalLocation: {
      artifactLocation: { uri: encodePath(file), uriBaseId: 'PLUGINROOT' },
      ...(line === undefined
        ? {}
        : { region: { startLine: Math.max(1, line), startColumn: Math.max(1, column ?? 1) } }),
    },
  };
}

/**
 * Converts a validation result to a SARIF 2.1.0 log, so findings and errors show up in code
 * scanning tools: each finding is a result of its finding-code rule, and each error or warning
 * of the validator (when the result carries `issues`) is a result of its issue-code rule.
 *
 * @example
 * await writeFile('validation.sarif', JSON.stringify(toSarif(result, { pluginPath: './my-plugin' }), null, 2));
 */
export function toSarif(
  result: PluginValidationResult & { issues?: ValidationIssue[] },
  options: ToSarifOptions = {},
): SarifLog {
  const rules = new Map<string, SarifRun['tool']['driver']['rules'][number]>();
  const results: SarifResult[] = [];
  for (const finding of result.findings) {
    const info = FindingCodes[finding.code as FindingCode];
    if (!rules.has(finding.code)) {
      rules.set(finding.code, {
        id: finding.code,
        name: finding.code.toLowerCase().replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase()),
        shortDescription: { text: info?.summary ?? finding.message },
        properties: { capability: finding.capability, severity: finding.severity },
      });
    }
    results.push({
      ruleId: finding.code,
      level: levelOf(finding.severity),
      message: { text: finding.message },
      locations: [location(finding.file, finding.line, finding.column)],
      properties: { capability: finding.capability, severity: finding.severity },
    });
  }
  for (const issue of result.issues ?? []) {
    const ruleId = `validator/${issue.code}`;
    if (!rules.has(ruleId)) {
      rules.set(ruleId, {
        id: ruleId,
        name: issue.code.toLowerCase().replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase()),
        shortDescription: { text: `validation ${issue.severity}: ${issue.code}` },
        properties: { kind: 'validation' },
      });
    }
    results.push({
      ruleId,
      level: issue.severity === 'error' ? 'error' : 'warning',
      message: { text: issue.path === undefined ? issue.message : `${issue.path}: ${issue.message}` },
      ...(issue.file === undefined ? {} : { locations: [location(issue.file, issue.line, issue.column)] }),
    });
  }
  const run: SarifRun = {
    tool: {
      driver: {
        name: '@agentplug/validator',
        version: options.toolVersion ?? '0.1.0',
        informationUri: 'https://github.com/agentplug/agentplug/tree/main/packages/validator',
        rules: [...rules.values()],
      },
    },
    results,
    properties: {
      valid: result.valid,
      securityScore: result.securityScore,
      riskLevel: result.riskLevel,
      scoreBreakdown: result.scoreBreakdown,
    },
  };
  if (options.pluginPath !== undefined) {
    let uri = pathToFileURL(options.pluginPath).href;
    if (!uri.endsWith('/')) uri += '/';
    run.originalUriBaseIds = { PLUGINROOT: { uri } };
  }
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
