import { describe, expect, it } from 'vitest';
import { scanSource } from '../src/scan/scan-source';
import { ATTACKER_BENIGN, ATTACKER_EVASIONS } from './__fixtures__/attacker-corpus';
import { BENIGN } from './__fixtures__/benign-corpus';
import { EVASIONS } from './__fixtures__/evasion-corpus';
import { RED_TEAM_BENIGN, RED_TEAM_EVASIONS } from './__fixtures__/red-team-corpus';

describe('the scan reports what each evasion of the corpus reaches', () => {
  it.each([...EVASIONS, ...ATTACKER_EVASIONS])('$technique: $name → $capability', (evasion) => {
    const findings = scanSource(evasion.code, { filename: evasion.filename ?? 'main.cjs' });
    const capabilities = findings.map((finding) => finding.capability);
    expect(capabilities, JSON.stringify(findings, null, 2)).toContain(evasion.capability);
    for (const finding of findings) {
      expect(finding.message.length).toBeGreaterThan(10);
      expect(finding.line).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('the scan reports each red-team evasion with its exact finding code', () => {
  it.each(RED_TEAM_EVASIONS)('$technique: $name → $finding ($capability)', (evasion) => {
    const findings = scanSource(evasion.code, { filename: evasion.filename ?? 'main.cjs' });
    const matching = findings.filter(
      (finding) => finding.code === evasion.finding && finding.capability === evasion.capability,
    );
    expect(matching, JSON.stringify(findings, null, 2)).not.toEqual([]);
  });
});

describe('the scan reports nothing for the benign look-alikes', () => {
  it.each([...BENIGN, ...ATTACKER_BENIGN, ...RED_TEAM_BENIGN])('$technique: $name', (benign) => {
    expect(scanSource(benign.code, { filename: benign.filename ?? 'main.cjs' })).toEqual([]);
  });
});
