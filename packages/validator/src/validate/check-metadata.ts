import {
  MANIFEST_FILE_NAME,
  type ManifestIssue,
  PluginError,
  type PluginMetadata,
  readManifest,
  safeParseManifest,
} from '@agentplug/models';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkVersionFields } from './check-version-fields';
import type { ValidationIssue } from './validation-issue';

/** The manifest the validator checked (when it parsed) and every issue with it. */
export interface MetadataCheck {
  manifest: PluginMetadata | undefined;
  issues: ValidationIssue[];
}

function fromManifestIssue(issue: ManifestIssue): ValidationIssue {
  return {
    code: issue.code,
    severity: issue.severity,
    message: issue.message,
    path: issue.path,
    file: MANIFEST_FILE_NAME,
  };
}

/**
 * Reads plugin.json from `folder` (or checks the `metadata` given instead) with the models'
 * rules, then checks what the models do not: dependency constraints and runtime bounds parse
 * (with @agentplug/version), and capability parameter schemas and config_schema compile.
 */
export async function checkMetadata(folder: string, metadata: unknown): Promise<MetadataCheck> {
  const issues: ValidationIssue[] = [];
  let manifest: PluginMetadata | undefined;
  if (metadata !== undefined) {
    const result = safeParseManifest(metadata);
    issues.push(...result.warnings.map(fromManifestIssue));
    if (result.success) manifest = result.value;
    else issues.push(...result.issues.map(fromManifestIssue));
  } else {
    try {
      const result = await readManifest(folder);
      manifest = result.manifest;
      issues.push(...result.warnings.map(fromManifestIssue));
    } catch (error) {
      if (!PluginError.is(error)) throw error;
      const details = error.details as { issues?: ManifestIssue[]; warnings?: ManifestIssue[] };
      if (error.code === 'MANIFEST_INVALID') {
        issues.push(...(details.issues ?? []).map(fromManifestIssue));
        issues.push(...(details.warnings ?? []).map(fromManifestIssue));
      } else {
        issues.push({
          code: error.code,
          severity: 'error',
          file: MANIFEST_FILE_NAME,
          message:
            error.code === 'MANIFEST_NOT_FOUND'
              ? 'plugin.json is missing from the plugin folder'
              : error.message,
        });
      }
    }
  }
  if (manifest !== undefined) issues.push(...checkVersionFields(manifest), ...checkSchemasCompile(manifest));
  return { manifest, issues };
}

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function compileProblem(schema: Record<string, unknown>): string | undefined {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  let ajv: Ajv | Ajv2020;
  if (declared.includes('draft-07')) {
    draft07 ??= new Ajv({ strict: false, logger: false });
    ajv = draft07;
  } else {
    draft2020 ??= new Ajv2020({ strict: false, logger: false });
    ajv = draft2020;
  }
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    ajv.removeSchema(schema);
  }
}

/** Capability parameter schemas and config_schema must compile (for example, every $ref resolves). */
function checkSchemasCompile(manifest: PluginMetadata): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  manifest.capabilities.forEach((capability, index) => {
    const problem = compileProblem(capability.parameters);
    if (problem !== undefined) {
      issues.push({
        code: 'INVALID_PARAMETERS_SCHEMA',
        severity: 'error',
        file: MANIFEST_FILE_NAME,
        path: `$.capabilities[${index}].parameters`,
        message: `the parameters schema of "${capability.name}" does not compile: ${problem}`,
      });
    }
  });
  if (manifest.config_schema !== undefined) {
    const problem = compileProblem(manifest.config_schema);
    if (problem !== undefined) {
      issues.push({
        code: 'INVALID_CONFIG_SCHEMA',
        severity: 'error',
        file: MANIFEST_FILE_NAME,
        path: '$.config_schema',
        message: `config_schema does not compile: ${problem}`,
      });
    }
  }
  return issues;
}
