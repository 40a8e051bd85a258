import { describe, expect, it } from 'vitest';
import { BENIGN_SNIPPETS, CAPABILITY_SNIPPETS } from './__fixtures__/capability-snippets';
import { scanSource } from './scan-source';

describe('scanSource: capability snippets', () => {
  it('has a corpus of at least 60 capability snippets and 15 benign ones', () => {
    expect(CAPABILITY_SNIPPETS.length).toBeGreaterThanOrEqual(60);
    expect(BENIGN_SNIPPETS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CAPABILITY_SNIPPETS)('$name → $capability ($findingCode)', (snippet) => {
    const findings = scanSource(snippet.code, { filename: snippet.filename ?? 'main.js' });
    const match = findings.find(
      (finding) => finding.code === snippet.findingCode && finding.capability === snippet.capability,
    );
    expect(match, JSON.stringify(findings, null, 2)).toBeDefined();
    if (snippet.mentions !== undefined) expect(match?.message).toContain(snippet.mentions);
    expect(match?.file).toBe(snippet.filename ?? 'main.js');
    expect(match?.line).toBeGreaterThanOrEqual(1);
    expect(match?.column).toBeGreaterThanOrEqual(1);
  });

  it.each(BENIGN_SNIPPETS)('benign: $name', (snippet) => {
    expect(scanSource(snippet.code, { filename: snippet.filename ?? 'main.js' })).toEqual([]);
  });
});

describe('scanSource: details', () => {
  it('reports the line and 1-based column of the call', () => {
    const findings = scanSource("const x = 1;\n  eval('x');", { filename: 'lib/a.js' });
    expect(findings).toEqual([
      {
        code: 'EVAL_CALL',
        capability: 'eval',
        severity: 'high',
        file: 'lib/a.js',
        line: 2,
        column: 3,
        message: 'evaluates code with eval: "x"',
      },
    ]);
  });

  it('turns a syntax error into one SCAN_INCOMPLETE finding and still scans what it recovers', () => {
    const findings = scanSource("eval('x');\nlet a; let a;", { filename: 'broken.js' });
    expect(findings.map((finding) => finding.code).sort()).toEqual(['EVAL_CALL', 'SCAN_INCOMPLETE']);
    expect(findings.find((finding) => finding.code === 'SCAN_INCOMPLETE')?.line).toBe(2);
  });

  it('does not crash on deeply nested code: it is scanned, or it is a SCAN_INCOMPLETE finding', () => {
    for (const depth of [3000, 30_000]) {
      const code = `const s = ${'('.repeat(depth)}1${')'.repeat(depth)};\neval('x');`;
      const findings = scanSource(code, { filename: 'deep.js' });
      const codes = findings.map((finding) => finding.code);
      expect(codes.includes('EVAL_CALL') || codes.includes('SCAN_INCOMPLETE'), JSON.stringify(codes)).toBe(
        true,
      );
    }
  });

  it('scans TypeScript, TSX, ESM and CommonJS', () => {
    expect(scanSource('const x: string = process.env.A as string;', { filename: 'a.ts' })[0]?.code).toBe(
      'ENV_READ',
    );
    expect(scanSource("export const A = () => <b>{eval('x')}</b>;", { filename: 'a.tsx' })[0]?.code).toBe(
      'EVAL_CALL',
    );
    expect(scanSource("export default await import('vm');", { filename: 'a.mjs' })[0]?.code).toBe(
      'VM_MODULE',
    );
    expect(scanSource("return require('vm');", { filename: 'a.cjs' })[0]?.code).toBe('VM_MODULE');
  });

  it("follows Bun's import.meta.require as require", () => {
    const findings = scanSource("import.meta.require('child_process').execSync('id');", {
      filename: 'a.mjs',
    });
    expect(findings.map((finding) => finding.code)).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
  });

  it('treats reads under __dirname as the plugin folder', () => {
    const findings = scanSource(
      "const fs = require('fs'); fs.readFileSync(require('path').join(__dirname, 'data.json'));",
      {
        filename: 'main.js',
      },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe('reads <plugin folder>/data.json with fs.readFileSync');
  });
});
