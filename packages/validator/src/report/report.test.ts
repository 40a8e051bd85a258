import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { createManifest, createPluginFolder, removePluginFolders } from '../../test/plugin-folder';
import { formatValidationReport, PluginValidator, toSarif } from '../index';

afterEach(removePluginFolders);

// The official sarif-schema-2.1.0.json is not published in any npm package this workspace can
// install, so the test checks the structure SARIF requires against a hand-written subset of it.
const schemaUrl = new URL('./__fixtures__/sarif-2.1.0-subset.schema.json', import.meta.url);

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
  it('produces a SARIF 2.1.0 log that validates against the schema', async () => {
    const { folder, result } = await validateSample();
    const sarif = toSarif(result, { pluginPath: folder });
    const schema = JSON.parse(await readFile(schemaUrl, 'utf8'));
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validateSarif = ajv.compile(schema);
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
