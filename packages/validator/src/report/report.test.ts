import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { createManifest, createPluginFolder, removePluginFolders } from '../../test/plugin-folder';
import { formatValidationReport, PluginValidator, toSarif } from '../index';

afterEach(removePluginFolders);

// The official SARIF 2.1.0 schema (OASIS rtm.5, JSON Schema draft-04), as Microsoft's SARIF SDK ships it.
const sarifSchema = createRequire(import.meta.url)(
  '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
);

function compileSarifSchema() {
  // The schema's `language` pattern ends in a stray `]`, which is only legal without the u flag.
  const ajv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}

async function validateSample() {
  const folder = await createPluginFolder(
    {
      'main.js': "const cp = require('child_process');\ncp.exec('ls');\nfetch('https://evil.example.com');\n",
      'tool.py': 'print(1)',
    },
    createManifest({ permissions: { network_hosts: ['api.example.com'] } }),
  );
  return { folder, result: await new PluginValidator().validatePlugin(folder) };
}

describe('toSarif', () => {
  it('produces a SARIF 2.1.0 log that validates against the official schema', async () => {
    const { folder, result } = await validateSample();
    const sarif = toSarif(result, { pluginPath: folder });
    const validateSarif = compileSarifSchema();
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.originalUriBaseIds?.PLUGINROOT?.uri).toMatch(/^file:\/\/.*\/$/);
    expect(
      run.results.filter((entry) => !entry.ruleId.startsWith('validator/')).map((entry) => entry.ruleId),
    ).toEqual(['SHELL_MODULE', 'SHELL_EXEC', 'NETWORK_REQUEST']);
    expect(run.results[1]).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'main.js', uriBaseId: 'PLUGINROOT' },
            region: { startLine: 2, startColumn: 1 },
          },
        },
      ],
    });
    const ruleIds = run.tool.driver.rules.map((rule) => rule.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    expect(ruleIds).toContain('validator/EXTENSION_NOT_ALLOWED');
    expect(ruleIds).toContain('validator/UNDECLARED_HOST');
  });

  it('the schema check rejects what SARIF forbids: an unknown level, a line 0, a missing driver name', async () => {
    const { folder, result } = await validateSample();
    const validateSarif = compileSarifSchema();
    const broken = [
      (log: ReturnType<typeof toSarif>) => Object.assign(log.runs[0]!.results[0]!, { level: 'fatal' }),
      (log: ReturnType<typeof toSarif>) =>
        Object.assign(log.runs[0]!.results[1]!.locations![0]!.physicalLocation!.region!, { startLine: 0 }),
      (log: ReturnType<typeof toSarif>) => Reflect.deleteProperty(log.runs[0]!.tool.driver, 'name'),
    ];
    for (const breakLog of broken) {
      const sarif = toSarif(result, { pluginPath: folder });
      breakLog(sarif);
      expect(validateSarif(sarif)).toBe(false);
    }
  });

  it('works on a plain PluginValidationResult without issues', () => {
    const sarif = toSarif({
      valid: true,
      errors: [],
      warnings: [],
      securityScore: 100,
      riskLevel: 'low',
      findings: [],
      scoreBreakdown: [],
    });
    expect(sarif.runs[0]?.results).toEqual([]);
    expect(sarif.runs[0]?.originalUriBaseIds).toBeUndefined();
  });
});

describe('formatValidationReport', () => {
  it('says the verdict, the score and why, errors, warnings and findings', async () => {
    const { result } = await validateSample();
    const text = formatValidationReport(result);
    expect(text.split('\n')[0]).toBe('INVALID: security score 60/100, risk medium');
    expect(text).toContain('  -30 dangerous_imports');
    expect(text).toContain('      main.js:2:1 SHELL_EXEC: starts a process with child_process.exec: "ls"');
    expect(text).toContain('Errors (4):');
    expect(text).toContain('  - tool.py: has an extension that is not allowed');
    expect(text).toContain('Findings (3):');
    expect(text).toContain(
      '  - main.js:3:1 [medium] network NETWORK_REQUEST: connects to evil.example.com with fetch',
    );
  });
});
