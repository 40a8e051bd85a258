import { FindingSchema, PluginError, parseUntrustedJson, RiskLevelSchema } from '@agentplug/models';
import { z } from 'zod';
import type { ArchiveInspection } from '../publish/inspect-archive';

/** Cap on a stored report: a README of 128 KiB plus a validator's findings fit many times over. */
const MAX_REPORT_BYTES = 4 * 1024 * 1024;

/** What the validator said about one published version, as the catalog shows it (snake_case: a stored document). */
export interface VersionValidationReport {
  valid: boolean;
  security_score: number;
  risk_level: z.infer<typeof RiskLevelSchema>;
  errors: string[];
  warnings: string[];
  score_breakdown: { factor: string; points: number; evidence: string[] }[];
  findings: z.infer<typeof FindingSchema>[];
}

/**
 * The document a marketplace keeps beside each published version: the validator's report (score
 * breakdown, findings with file and line) and the README, neither of which the signed index holds.
 * One JSON document per plugin and version, so a SQL store keeps it as one row.
 */
export interface VersionReport {
  plugin_id: string;
  version: string;
  /** The README shipped in the archive (untrusted text: render only through the catalog's sanitiser). */
  readme: string | null;
  license: string | null;
  homepage: string | null;
  /** Null when the marketplace published without a validator. */
  validation: VersionValidationReport | null;
}

const VersionReportSchema: z.ZodType<VersionReport> = z.object({
  plugin_id: z.string(),
  version: z.string(),
  readme: z.string().nullable(),
  license: z.string().nullable(),
  homepage: z.string().nullable(),
  validation: z
    .object({
      valid: z.boolean(),
      security_score: z.number().min(0).max(100),
      risk_level: RiskLevelSchema,
      errors: z.array(z.string()),
      warnings: z.array(z.string()),
      score_breakdown: z.array(
        z.object({ factor: z.string(), points: z.number(), evidence: z.array(z.string()) }),
      ),
      findings: z.array(FindingSchema),
    })
    .nullable(),
});

/** The report of an inspected archive, ready to be stored. */
export function createVersionReport(inspection: ArchiveInspection): VersionReport {
  const { manifest, validation } = inspection;
  return {
    plugin_id: manifest.plugin_id,
    version: manifest.version,
    readme: inspection.readme ?? null,
    license: manifest.license ?? null,
    homepage: manifest.homepage ?? null,
    validation:
      validation === undefined
        ? null
        : {
            valid: validation.valid,
            security_score: validation.securityScore,
            risk_level: validation.riskLevel,
            errors: validation.errors,
            warnings: validation.warnings,
            score_breakdown: validation.scoreBreakdown,
            findings: validation.findings,
          },
  };
}

/** The bytes a store keeps for a report. */
export function serializeVersionReport(report: VersionReport): Uint8Array {
  return Buffer.from(JSON.stringify(report));
}

/**
 * Reads a stored report back as untrusted data (bounded, null-prototype objects, checked shape).
 * @throws PluginError INVALID_ARGUMENT when the document is not a version report
 */
export function parseVersionReport(document: Uint8Array): VersionReport {
  const parsed = parseUntrustedJson(document, {
    code: 'INVALID_ARGUMENT',
    what: 'a stored version report',
    maxBytes: MAX_REPORT_BYTES,
  });
  const result = VersionReportSchema.safeParse(parsed);
  if (!result.success) {
    throw new PluginError('INVALID_ARGUMENT', 'a stored version report does not have the report shape', {
      details: { issues: result.error.issues.slice(0, 5).map((issue) => issue.message) },
    });
  }
  return result.data;
}
