import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKER_BENIGN, ATTACKER_EVASIONS } from './__fixtures__/attacker-corpus';
import { BENIGN } from './__fixtures__/benign-corpus';
import { EVASIONS } from './__fixtures__/evasion-corpus';
import { RED_TEAM_BENIGN, RED_TEAM_EVASIONS } from './__fixtures__/red-team-corpus';

const recorder = fileURLToPath(new URL('./__fixtures__/reach-recorder.cjs', import.meta.url));
const CAPABILITIES = new Set([
  'shell',
  'eval',
  'native',
  'network',
  'filesystem_read',
  'filesystem_write',
  'env',
]);

let folder: string;
let counter = 0;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agentplug-evasion-proof-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The snippet as Node runs it: TypeScript is compiled first (experimental decorators on), to CommonJS (`.ts`) or ESM (`.mts`). */
function runnable(code: string, filename: string): { code: string; extension: string } {
  if (filename.endsWith('.ts') || filename.endsWith('.mts')) {
    const esm = filename.endsWith('.mts');
    const output = ts.transpileModule(code, {
      compilerOptions: {
        module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        // Parameter decorators exist only as TypeScript's experimental decorators.
        experimentalDecorators: true,
      },
    });
    return { code: output.outputText, extension: esm ? '.mjs' : '.cjs' };
  }
  return { code, extension: filename.endsWith('.mjs') ? '.mjs' : '.cjs' };
}

/** Runs a snippet in a child process under the recorder; resolves to the capabilities it reached. */
async function reach(code: string, filename = 'main.cjs'): Promise<Set<string>> {
  counter += 1;
  const program = runnable(code, filename);
  const snippet = join(folder, `snippet-${counter}${program.extension}`);
  const log = join(folder, `snippet-${counter}.log`);
  await writeFile(snippet, program.code);
  await writeFile(log, '');
  await new Promise<void>((resolve) => {
    execFile(
      process.execPath,
      ['--no-warnings', '--require', recorder, snippet],
      {
        env: { PATH: process.env.PATH, HOME: '/root', AGENTPLUG_REACH_LOG: log, AGENTPLUG_SNIPPET: snippet },
        timeout: 20_000,
      },
      // A snippet may end in an error once the recorder refuses what it asked for: what counts is the log.
      () => resolve(),
    );
  });
  const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  return new Set(
    lines.map((line) => line.split('\t')[0]!).filter((capability) => CAPABILITIES.has(capability)),
  );
}

describe('every evasion of the corpus really reaches what its label says, run under Node', () => {
  it('covers each technique of issue 17, and each class an attacker reaches for first', () => {
    const techniques = new Set(EVASIONS.map((evasion) => evasion.technique));
    expect([...techniques].sort()).toEqual(['api', 'construct', 'flow', 'form', 'typescript']);
    expect(EVASIONS.length).toBeGreaterThanOrEqual(80);
    const classes = new Set(ATTACKER_EVASIONS.map((evasion) => evasion.technique));
    expect([...classes].sort()).toEqual([
      'alias',
      'bundler',
      'computed',
      'destructuring',
      'dynamic-import',
      'eval',
      'flow',
      'getter',
      'prototype',
      'reflect',
      'string',
      'wrapper',
    ]);
    // Every class has look-alikes that must stay clean.
    const benignClasses = new Set(ATTACKER_BENIGN.map((entry) => entry.technique));
    for (const name of classes) expect(benignClasses, name).toContain(name);
    const redTeamClasses = new Set(RED_TEAM_EVASIONS.map((evasion) => evasion.technique));
    const redTeamBenign = new Set(RED_TEAM_BENIGN.map((entry) => entry.technique));
    for (const name of redTeamClasses) expect(redTeamBenign, name).toContain(name);
  });

  it.concurrent.each([...EVASIONS, ...ATTACKER_EVASIONS, ...RED_TEAM_EVASIONS])(
    '$technique: $name reaches $capability',
    async (evasion) => {
      const reached = await reach(evasion.code, evasion.filename);
      expect([...reached]).toContain(evasion.capability);
    },
  );
});

describe('every benign look-alike reaches nothing, run under Node', () => {
  it.concurrent.each([...BENIGN, ...ATTACKER_BENIGN, ...RED_TEAM_BENIGN])(
    '$technique: $name',
    async (benign) => {
      expect([...(await reach(benign.code, benign.filename))]).toEqual([]);
    },
  );

  it('the recorder itself sees a plain capability use (control)', async () => {
    expect([...(await reach("require('child_process').execSync('id');"))]).toEqual(['shell']);
    expect([...(await reach("require('fs').readFileSync('/etc/hostname');"))]).toEqual(['filesystem_read']);
  });
});
