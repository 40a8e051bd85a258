import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginValidator, type ValidatePluginResult } from '../src/index';
import { createManifest, createPluginFolder, removePluginFolders } from './plugin-folder';

afterEach(removePluginFolders);

const entry = 'export class Plugin {}\n';
const SHELL = "require('child_process').execSync('id');\n";

function codes(result: ValidatePluginResult): string[] {
  return result.issues.map((issue) => issue.code);
}

async function validate(
  files: Record<string, string>,
  config: ConstructorParameters<typeof PluginValidator>[0] = {},
): Promise<ValidatePluginResult> {
  const validator = new PluginValidator(config);
  try {
    return await validator.validatePlugin(await createPluginFolder(files, createManifest()));
  } finally {
    await validator.close();
  }
}

/** Files made to blind or break a scan, each hiding a shell call; none may be reported valid. */
const BLINDING: readonly [name: string, code: string][] = [
  ['1,000 nested arrays in a 2 KB prefix', `const data = ${'['.repeat(1000)}${']'.repeat(1000)};\n${SHELL}`],
  ['100,000 nested arrays', `const data = ${'['.repeat(100_000)}${']'.repeat(100_000)};\n${SHELL}`],
  [
    'a 10,000-term string concatenation',
    `const text = ${Array.from({ length: 10_000 }, () => "'a'").join(' + ')};\n${SHELL}`,
  ],
  ['100,000 nested parentheses', `const value = ${'('.repeat(100_000)}1${')'.repeat(100_000)};\n${SHELL}`],
  ['a 50,000-deep member chain', `const value = a${'.b'.repeat(50_000)};\n${SHELL}`],
  ['50,000 nested functions', `${'(function () {'.repeat(50_000)}${'})();'.repeat(50_000)}\n${SHELL}`],
  ['a syntax error before the payload', `const = ;\n${SHELL}`],
  [
    'chained replaceAll growing a string past any heap',
    `let text = 'a';\n${"text = text.replaceAll('', 'b'.repeat(700));\n".repeat(12)}require(text);\n${SHELL}`,
  ],
  [
    'eval of a string nesting past the parser',
    `eval(${JSON.stringify(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)});\n${SHELL}`,
  ],
  [
    'eval of eval of ... a string, 12 levels deep',
    `${Array.from({ length: 12 }).reduce<string>((code) => `eval(${JSON.stringify(code)})`, SHELL)};\n`,
  ],
  [
    'arrays spread into themselves',
    `let list = [1, 2];\n${'list = [...list, ...list];\n'.repeat(40)}require(list.join(''));\n${SHELL}`,
  ],
];

describe('blinding files: the scan is never blinded into valid: true', () => {
  it.each(BLINDING)('%s, in a helper file', async (_name, code) => {
    const result = await validate({ 'main.js': entry, 'lib/helper.js': code });
    expect(result.valid, JSON.stringify(result.errors)).toBe(false);
    const found = codes(result);
    expect(
      found.includes('SCAN_INCOMPLETE') || found.includes('BLOCKED_CAPABILITY'),
      JSON.stringify(found),
    ).toBe(true);
    for (const issue of result.issues.filter((candidate) => candidate.code === 'SCAN_INCOMPLETE')) {
      expect(issue.file).toBe('lib/helper.js');
      expect(issue.message).toMatch(/could not be scanned completely|does not parse/);
    }
  });

  it('a file that does not parse is SCAN_INCOMPLETE naming the file and the reason, with nothing blocked', async () => {
    const result = await validate(
      { 'main.js': entry, 'lib/broken.js': 'export const x = ;' },
      { blockedCapabilities: [], maxRiskLevel: 'critical' },
    );
    expect(result.valid).toBe(false);
    expect(result.issues.map((issue) => [issue.code, issue.file])).toEqual([
      ['SCAN_INCOMPLETE', 'lib/broken.js'],
    ]);
    expect(result.errors[0]).toContain('does not parse');
  });
});

describe('the scan worker: memory and time limits, never the host', () => {
  it('a file that exhausts the worker heap is SCAN_INCOMPLETE; the next plugin is scanned by a new worker', async () => {
    const validator = new PluginValidator({ scanMemoryMb: 16, cache: false });
    try {
      const big = `const list = [${'1,'.repeat(2_000_000)}];\n`;
      const heavy = await validator.validatePlugin(
        await createPluginFolder({ 'main.js': entry, 'big.js': big }),
      );
      expect(heavy.valid).toBe(false);
      const incomplete = heavy.issues.find((issue) => issue.code === 'SCAN_INCOMPLETE');
      expect(incomplete?.file).toBe('big.js');
      expect(incomplete?.message).toMatch(/ran out of memory \(the scan's limit is 16 MiB\)|scan worker/);
      const next = await validator.validatePlugin(
        await createPluginFolder({ 'main.js': `${entry}${SHELL}` }),
      );
      expect(next.findings.map((finding) => finding.code)).toContain('SHELL_EXEC');
    } finally {
      await validator.close();
    }
  }, 120_000);

  it('a file whose scan overruns the time limit is SCAN_INCOMPLETE, and the worker is replaced', async () => {
    const validator = new PluginValidator({ scanTimeoutMs: 1, cache: false });
    try {
      const slow = `${'const value = { a: [1, 2, 3], b: "text" };\n'.repeat(40_000)}`;
      const result = await validator.validatePlugin(
        await createPluginFolder({ 'main.js': entry, 'slow.js': slow }),
      );
      const incomplete = result.issues.find(
        (issue) => issue.code === 'SCAN_INCOMPLETE' && issue.file === 'slow.js',
      );
      expect(incomplete?.message).toContain('took longer than 1 ms');
      expect(result.valid).toBe(false);
    } finally {
      await validator.close();
    }
  }, 60_000);

  it('scans in the calling thread with scanIsolation none, with the same findings', async () => {
    const files = { 'main.js': `${entry}${SHELL}`, 'lib/a.js': "process.getBuiltinModule('vm');" };
    const inThread = await validate(files, { scanIsolation: 'none' });
    const isolated = await validate(files);
    expect(inThread.findings).toEqual(isolated.findings);
    expect(inThread.findings.map((finding) => finding.code).sort()).toEqual([
      'SHELL_EXEC',
      'SHELL_MODULE',
      'VM_MODULE',
    ]);
  });

  it('rejects a bad scan setting with INVALID_ARGUMENT', () => {
    expect(() => new PluginValidator({ scanIsolation: 'process' as 'none' })).toThrow(/scanIsolation/);
    expect(() => new PluginValidator({ scanMemoryMb: 0 })).toThrow(/scanMemoryMb/);
    expect(() => new PluginValidator({ scanTimeoutMs: -1 })).toThrow(/scanTimeoutMs/);
  });

  it('answers every scan as incomplete after close', async () => {
    const validator = new PluginValidator();
    await validator.close();
    const result = await validator.validatePlugin(await createPluginFolder({ 'main.js': entry }));
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toContain('the validator was closed');
  });

  it('an idle scan worker does not keep the host process alive', async () => {
    const folder = await createPluginFolder({ 'main.js': entry });
    const script = join(await createPluginFolder({}, null), 'host.mts');
    const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    await writeFile(
      script,
      `import { PluginValidator } from ${JSON.stringify(index)};\nconst result = await new PluginValidator().validatePlugin(${JSON.stringify(folder)});\nconsole.log(JSON.stringify({ valid: result.valid }));\n`,
    );
    const started = Date.now();
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--conditions=@agentplug/source', '--import', 'tsx', script],
        { timeout: 60_000, cwd: fileURLToPath(new URL('..', import.meta.url)) },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(JSON.parse(output.trim())).toEqual({ valid: true });
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});

describe('code the scan would skip', () => {
  it('scans a file that code requires by name whatever its extension', async () => {
    const result = await validate({
      'main.js': `${entry}require('./notes.md');\n`,
      'notes.md': "require('child_process').execSync('id');\n",
    });
    const shell = result.findings.find((finding) => finding.code === 'SHELL_EXEC');
    expect(shell?.file).toBe('notes.md');
    expect(result.valid).toBe(false);
  });

  it('scans a file a worker is started from whatever its extension (Node runs it as CommonJS)', async () => {
    const result = await validate({
      'main.js': `${entry}const { Worker } = require('node:worker_threads');\nnew Worker(__dirname + '/lib/task.txt');\n`,
      'lib/task.txt': "require('child_process').execSync('id');\n",
      'lib/start.js':
        "const { Worker } = require('worker_threads');\nnew Worker(require('path').join(__dirname, 'job.dat'));\n",
      'lib/job.dat': "eval('1 + 1');\n",
    });
    const found = result.findings.map((finding) => [finding.code, finding.file]);
    expect(found).toContainEqual(['SHELL_EXEC', 'lib/task.txt']);
    expect(found).toContainEqual(['EVAL_CALL', 'lib/job.dat']);
    expect(result.valid).toBe(false);
  });

  it('a worker started from a script of the plugin adds nothing to scan twice', async () => {
    const result = await validate({
      'main.js': `${entry}const { Worker } = require('node:worker_threads');\nnew Worker(__dirname + '/worker.js');\n`,
      'worker.js': "require('node:worker_threads').parentPort.postMessage(1);\n",
    });
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect(result.findings).toEqual([]);
  });
});
