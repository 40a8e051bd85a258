import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoRun, examplesFolder, runBuiltDemo } from './run-built-demo';

/** A digest of every file under a folder, names and contents, to prove the demo changed nothing. */
function digestFolder(folder: string): string {
  const hash = createHash('sha256');
  const visit = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((left, right) =>
      left.name.localeCompare(right.name),
    )) {
      const path = join(current, entry.name);
      hash.update(path);
      if (entry.isDirectory()) visit(path);
      else hash.update(readFileSync(path));
    }
  };
  visit(folder);
  return hash.digest('hex');
}

/** The printed lines of one step, from its heading to the next heading. */
function stepOutput(run: DemoRun, step: number): string {
  const start = run.stdout.indexOf(`\n== ${step}. `);
  if (start === -1) return '';
  const end = run.stdout.indexOf('\n== ', start + 1);
  return run.stdout.slice(start, end === -1 ? undefined : end);
}

describe('the built demo, run as a subprocess', () => {
  let run: DemoRun;
  let examplesBefore: string;

  beforeAll(async () => {
    examplesBefore = digestFolder(examplesFolder);
    run = await runBuiltDemo();
  });

  it('finishes all ten steps successfully in under a minute', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.durationMs).toBeLessThan(60_000);
    expect(run.stdout).toMatch(/== Demo finished: 10 steps in /);
    expect(run.stdout).not.toContain('FAILED step');
  });

  it('heads and times every step', () => {
    const headings = [...run.stdout.matchAll(/\n== (\d+)\. /g)].map((match) => Number(match[1]));
    const timings = [...run.stdout.matchAll(/\(step (\d+) done in [\d.]+ m?s\)/g)].map((match) =>
      Number(match[1]),
    );
    expect(headings).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(timings).toEqual(headings);
  });

  it('step 0 lists the example manifests parsed by @agentplug/models', () => {
    const output = stepOutput(run, 0);
    expect(output).toContain('9 example plugins');
    expect(output).toMatch(/com\.example\.hello\s+1\.0\.0\s+tool\s+main\s+greet/);
    expect(output).toMatch(
      /com\.example\.calculator\s+2\.0\.0\s+tool\s+calculator\.main\s+arithmetic, scientific\s+com\.example\.mathlib >=2\.0\.0/,
    );
    expect(output).toMatch(
      /com\.example\.weather\s+1\.0\.0\s+integration\s+main\s+forecast\s+-\s+127\.0\.0\.1/,
    );
    expect(output).not.toContain('warning:');
  });

  it('step 1 starts a marketplace on 127.0.0.1 and publishes the examples; the validator refuses word-stats', () => {
    const output = stepOutput(run, 1);
    expect(output).toMatch(/marketplace listening on http:\/\/127\.0\.0\.1:\d+\//);
    expect(output).toMatch(/web catalog: http:\/\/127\.0\.0\.1:\d+\/ \(open it in a browser/);
    expect(output).toMatch(/com\.example\.calculator\s+2\.0\.0\s+\d+ B\s+[0-9a-f]{12}…\s+100\s+low/);
    expect(output).toMatch(/com\.example\.mathlib\s+1\.4\.0\s/);
    expect(output).toMatch(/com\.example\.mathlib\s+2\.1\.0\s/);
    expect(output).toMatch(/com\.example\.weather\s+1\.0\.0\s+\d+ B\s+[0-9a-f]{12}…\s+\d+\s+low/);
    expect(output).toMatch(
      /com\.example\.word-stats 1\.0\.0: refused, \[VALIDATION_FAILED].*UNDECLARED_NETWORK/,
    );
  });

  it('step 2 searches by text, type and tag with downloads, ratings and scores, and lists versions', () => {
    const output = stepOutput(run, 2);
    expect(output).toContain('search by text "calculator": 1 found');
    expect(output).toMatch(
      /com\.example\.calculator\s+2\.0\.0\s+tool\s+0\s+4\.5\s+100\s+math, calculator, scientific/,
    );
    expect(output).toMatch(
      /search by type middleware: 1 found[\s\S]*com\.example\.redact\s+1\.0\.0\s+middleware/,
    );
    expect(output).toMatch(/search by tags \[math]: 2 found[\s\S]*com\.example\.mathlib\s+2\.1\.0/);
    expect(output).toContain(
      'com.example.mathlib versions: 2.1.0 (score 100), 1.4.0 (score 100); latest 2.1.0',
    );
  });

  it('step 3 downloads with progress, verifies, validates and installs with the dependency resolved', () => {
    const output = stepOutput(run, 3);
    expect(output).toMatch(/downloaded com\.example\.weather 1\.0\.0: \[#{20}] 100% of \d+ B/);
    expect(output).toMatch(/validated com\.example\.weather: valid true, security score \d+\/100, risk low/);
    expect(output).toMatch(/finding NETWORK_REQUEST \(network, medium\) at main\.js:\d+/);
    expect(output).toContain(
      'installed, dependencies first: com.example.mathlib 2.1.0, com.example.calculator 2.0.0',
    );
    expect(output).toMatch(/com\.example\.calculator\s+2\.0\.0\s+[0-9a-f]{12}…\s+100\s+low\s+0/);
    expect(output).not.toMatch(/com\.example\.mathlib\s+1\.4\.0/);
  });

  it('step 4 loads dependencies first, activates, invokes and lists the plugins', () => {
    const output = stepOutput(run, 4);
    expect(output).toContain('loaded com.example.mathlib first, as a dependency');
    expect(output).toContain('hello.greet({"name":"Ada"}) -> "Hello, Ada!"');
    expect(output).toContain('calculator.arithmetic({"expression":"2 + 2 * 3"}) -> 8');
    expect(output).toContain('calculator.arithmetic({"expression":"2 / 3","precision":4}) -> 0.6667');
    expect(output).toContain('calculator.scientific({"function":"sin","value":1.5707963267948966}) -> 1');
    expect(output).toContain('-> refused: Division by zero');
    expect(output).toMatch(/process\.exit\(1\)"}\) -> refused: Unexpected character "\."/);
    expect(output).toMatch(/\{"precision":3}\) -> refused: \[INVALID_PARAMS]/);
    expect(output).toContain('mathlib.factorial({"n":25}) -> "15511210043330985984000000"');
    expect(output).toContain(
      'text-tools.process({"data":"plugins all the way down"}) -> "PLUGINS ALL THE WAY DOWN"',
    );
    expect(output).toContain('"message":"Mail [redacted], card [redacted]"');
    expect(output).toContain('{"stages":[["understand"],["calculate","search"],["answer"]]');
    expect(output).toMatch(/weather\.forecast\(\{"city":"Lisbon"}\) -> \{"city":"Lisbon","summary":"sunny"/);
    expect(output).toMatch(/com\.example\.calculator\s+2\.0\.0\s+tool\s+active\s+worker/);
    expect(output).toMatch(/com\.example\.weather\s+1\.0\.0\s+integration\s+active\s+process/);
    expect(output).toMatch(
      /layers: own process, Node's permission model, in-realm policy, (OS sandbox \(bubblewrap\), network only through the host's proxy|no OS sandbox, network checked by the policy)/,
    );
    expect(output).toContain(
      'layers: worker thread, in-realm policy, no OS sandbox, network checked by the policy',
    );
    expect(output).toContain("state.instance.arithmetic('2 + 2') through the worker's async proxy -> 4");
    expect(output).toContain('by status: active 7');
    expect(output).toContain('by type: tool 4, engine 1, middleware 1, integration 1');
  });

  it('step 5 refuses broken code, keeps the old instance, then hot-reloads the new behaviour', () => {
    const output = stepOutput(run, 5);
    // Validation is on by default: code that does not parse is refused before it is imported.
    expect(output).toMatch(
      /reloadPlugin refused the new code: \[VALIDATION_FAILED].*does not parse.*SCAN_INCOMPLETE/,
    );
    expect(output).toContain(
      'status active; the old instance keeps serving:\n   hello.greet({"name":"Ada"}) -> "Hello, Ada!"',
    );
    expect(output).toContain('hello.greet({"name":"Ada"}) -> "Hot-reloaded hello, Ada!"');
  });

  it('step 6 publishes calculator 2.1.0, finds the update, installs it and reloads it', () => {
    const output = stepOutput(run, 6);
    expect(output).toContain(
      'calculator.arithmetic({"expression":"cbrt(27) + 1"}) -> refused: Unknown function "cbrt"',
    );
    expect(output).toMatch(
      /published com\.example\.calculator 2\.1\.0 \(adds cbrt\): \d+ B, score 100, risk low/,
    );
    expect(output).toContain('update available: com.example.calculator 2.0.0 -> 2.1.0');
    expect(output).toContain('installed com.example.calculator 2.1.0');
    expect(output).toMatch(/reloadPlugin: com\.example\.calculator 2\.1\.0 active in \d+ ms/);
    expect(output).toContain('calculator.arithmetic({"expression":"cbrt(27) + 1"}) -> 4');
    expect(output).toContain('updates still available: 0');
    expect(output).toMatch(
      /search "calculator" now: com\.example\.calculator 2\.1\.0, 2 downloads, rating 4\.5/,
    );
  });

  it('step 7 refuses the undeclared request in the worker sandbox, and the host keeps running', () => {
    const output = stepOutput(run, 7);
    expect(output).toMatch(/validator: valid false, .*UNDECLARED_NETWORK/);
    expect(output).toMatch(/loadPlugin \(validate on by default\) refuses it: \[VALIDATION_FAILED]/);
    expect(output).toMatch(
      /permission event: com\.example\.word-stats asked for network localhost:\d+: denied/,
    );
    expect(output).toMatch(
      /word-stats\.wordStats\(\{"text":"the secret launch plan"}\) -> refused: \[PERMISSION_DENIED]/,
    );
    expect(output).toMatch(/requests that reached http:\/\/localhost:\d+\/collect: 0\n/);
    expect(output).toContain('calculator.arithmetic({"expression":"6 * 7"}) -> 42');
    expect(output).toContain('weather.forecast({"city":"Nairobi"}) -> {"city":"Nairobi"');
  });

  it('step 8 runs a scripted AI SDK agent over the plugin tools, with a hot reload between its steps', () => {
    const output = stepOutput(run, 8);
    expect(output).toMatch(
      /createLiveAgentplugTools\(loader\): com_example_calculator__arithmetic, com_example_calculator__scientific, com_example_hello__greet, com_example_weather__forecast, com_example_word-stats__wordStats\n/,
    );
    expect(output).toContain('agent step 1: offered 5 plugin tools');
    expect(output).toContain('com_example_calculator__arithmetic({"expression":"cbrt(27) + 1"}) -> 4');
    expect(output).toMatch(
      /com_example_weather__forecast\(\{"city":"Lisbon"}\) -> \{"city":"Lisbon","summary":"sunny"/,
    );
    expect(output).toMatch(
      /com_example_word-stats__wordStats\(\{"text":"the secret launch plan"}\) -> tool error PERMISSION_DENIED: .*localhost/,
    );
    expect(output).toMatch(/\n\s+Hint: .*permissions/);
    expect(output).toMatch(
      /between the agent's steps: com\.example\.hello gains farewell, hot-reloaded in \d+ ms/,
    );
    expect(output).toContain('agent step 2: offered 6 plugin tools');
    expect(output).toContain('com_example_hello__farewell({"name":"Ada"}) -> "Goodbye, Ada!"');
    expect(output).toContain('agent answer after 3 steps: Done: Goodbye, Ada!');
  });

  it('step 9 deactivates and unloads every plugin and stops the services', () => {
    const output = stepOutput(run, 9);
    expect(output).toMatch(/deactivated: .*com\.example\.calculator.*com\.example\.word-stats/);
    expect(output).toContain('plugins still loaded: 0');
    const uninstalled = /uninstalled, dependents first: (.*)/.exec(output)?.[1]?.split(', ') ?? [];
    expect(uninstalled).toContain('com.example.word-stats');
    expect(uninstalled.indexOf('com.example.calculator')).toBeGreaterThanOrEqual(0);
    expect(uninstalled.indexOf('com.example.calculator')).toBeLessThan(
      uninstalled.indexOf('com.example.mathlib'),
    );
    expect(output).toContain('plugins still installed: 0');
    expect(output).toMatch(/stopped the marketplace at http:\/\/127\.0\.0\.1:\d+\//);
    expect(output).toContain('stopped the local weather service');
  });

  it('leaves nothing behind: the temporary workspace is removed and the examples are unchanged', () => {
    const workspace = /every file goes to (\S+)/.exec(run.stdout)?.[1];
    expect(workspace).toBeDefined();
    expect(run.stdout).toContain(`removed ${workspace}`);
    expect(existsSync(workspace!)).toBe(false);
    expect(digestFolder(examplesFolder)).toBe(examplesBefore);
  });

  it('runs only the steps up to --step, and keeps the workspace with --keep', async () => {
    const partial = await runBuiltDemo(['--step', '0', '--keep']);
    expect(partial.exitCode).toBe(0);
    expect(partial.stdout).toContain('== Demo finished: 1 steps');
    const workspace = /--keep: the workspace stays in (\S+)/.exec(partial.stdout)?.[1];
    expect(workspace).toBeDefined();
    expect(existsSync(workspace!)).toBe(true);
    await rm(workspace!, { recursive: true, force: true });
  });

  it('stops what it started when told to end early with --step', async () => {
    const partial = await runBuiltDemo(['--step', '4']);
    expect(partial.exitCode).toBe(0);
    expect(partial.stdout).toContain('== Demo finished: 5 steps');
    expect(partial.stdout).not.toContain('== 5. ');
    const workspace = /every file goes to (\S+)/.exec(partial.stdout)?.[1];
    expect(existsSync(workspace!)).toBe(false);
  });

  it('reports a failing step with its error code, exits 1 and still cleans up', async () => {
    const brokenExamples = await mkdtemp(join(tmpdir(), 'agentplug-demo-broken-'));
    try {
      await mkdir(join(brokenExamples, 'broken'));
      await writeFile(
        join(brokenExamples, 'broken', 'plugin.json'),
        JSON.stringify({ plugin_id: 'Not An Id' }),
      );
      const failed = await runBuiltDemo(['--examples', brokenExamples]);
      expect(failed.exitCode).toBe(1);
      expect(failed.stdout).toContain('FAILED step 0: [MANIFEST_INVALID]');
      expect(failed.stdout).toContain('== Demo failed after 0 steps');
      const workspace = /every file goes to (\S+)/.exec(failed.stdout)?.[1];
      expect(failed.stdout).toContain(`removed ${workspace}`);
      expect(existsSync(workspace!)).toBe(false);
    } finally {
      await rm(brokenExamples, { recursive: true, force: true });
    }
  });

  it('rejects an unknown option with a message and exit code 2', async () => {
    const failed = await runBuiltDemo(['--no-such-option']);
    expect(failed.exitCode).toBe(2);
    expect(failed.stderr).toContain('no-such-option');
  });
});
