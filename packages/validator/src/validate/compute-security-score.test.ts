import type { Finding, FindingCapability, PluginPermissions } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { computeSecurityScore, SCORE_FACTORS } from './compute-security-score';

function use(capability: FindingCapability): { finding: Finding } {
  return {
    finding: {
      code: 'X',
      capability,
      severity: 'low',
      file: 'main.js',
      line: 1,
      column: 1,
      message: capability,
    },
  };
}

function permissions(overrides: Partial<PluginPermissions> = {}): PluginPermissions {
  return {
    filesystem_read: [],
    filesystem_write: [],
    network_hosts: [],
    external_apis: [],
    environment_variables: [],
    ...overrides,
  };
}

describe('computeSecurityScore', () => {
  it("uses the seed's factors", () => {
    expect(SCORE_FACTORS.map(({ factor, points }) => [factor, points])).toEqual([
      ['dangerous_imports', 30],
      ['network', 10],
      ['filesystem_write', 15],
      ['environment_variables', 5],
      ['external_apis', 10],
    ]);
  });

  it.each([
    [[], 100, 'low'],
    [['network', 'external_apis'], 80, 'low'],
    [['filesystem_write', 'environment_variables'], 80, 'low'],
    [['filesystem_write', 'network'], 75, 'medium'],
    [['dangerous_imports'], 70, 'medium'],
    [['dangerous_imports', 'network'], 60, 'medium'],
    [['dangerous_imports', 'filesystem_write'], 55, 'high'],
    [['dangerous_imports', 'filesystem_write', 'network', 'environment_variables'], 40, 'high'],
    [['dangerous_imports', 'filesystem_write', 'network', 'external_apis'], 35, 'critical'],
    [
      ['dangerous_imports', 'filesystem_write', 'network', 'environment_variables', 'external_apis'],
      30,
      'critical',
    ],
  ] as const)('factors %j give %i (%s)', (factors, score, level) => {
    const uses = [];
    const declared: Partial<PluginPermissions> = {};
    for (const factor of factors) {
      if (factor === 'dangerous_imports') uses.push(use('shell'));
      if (factor === 'network') uses.push(use('network'));
      if (factor === 'filesystem_write') declared.filesystem_write = ['/tmp/out'];
      if (factor === 'environment_variables') uses.push(use('env'));
      if (factor === 'external_apis') declared.external_apis = ['weather'];
    }
    const result = computeSecurityScore({ uses, permissions: permissions(declared) });
    expect(result.securityScore).toBe(score);
    expect(result.riskLevel).toBe(level);
    expect(result.scoreBreakdown.map((deduction) => deduction.factor).sort()).toEqual([...factors].sort());
  });

  it('deducts a factor once however much evidence there is, and caps the evidence list', () => {
    const uses = Array.from({ length: 25 }, () => use('eval'));
    const result = computeSecurityScore({
      uses: [...uses, use('dynamic'), use('native')],
      permissions: permissions(),
    });
    expect(result.securityScore).toBe(70);
    expect(result.scoreBreakdown).toHaveLength(1);
    expect(result.scoreBreakdown[0]?.evidence).toHaveLength(11);
    expect(result.scoreBreakdown[0]?.evidence.at(-1)).toBe('... and 17 more');
  });

  it('does not deduct for file reads alone', () => {
    expect(
      computeSecurityScore({ uses: [use('filesystem_read')], permissions: undefined }).securityScore,
    ).toBe(100);
  });
});
