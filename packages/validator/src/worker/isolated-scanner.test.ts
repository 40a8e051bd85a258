import { afterEach, describe, expect, it } from 'vitest';
import { IsolatedScanner } from './isolated-scanner';

const SHELL = "require('child_process').execSync('id');\n";
const SLOW = 'const value = { a: [1, 2, 3], b: "text" };\n'.repeat(40_000);

const open: IsolatedScanner[] = [];

function createScanner(memoryMb: number, timeoutMs: number): IsolatedScanner {
  const scanner = new IsolatedScanner({ memoryMb, timeoutMs });
  open.push(scanner);
  return scanner;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((scanner) => scanner.close()));
});

function codesOf(analysis: Awaited<ReturnType<IsolatedScanner['scan']>>): string[] {
  return analysis.uses.map((use) => use.finding.code);
}

describe('IsolatedScanner: one warm worker, limits per file', () => {
  it('scans file after file, and scanner after scanner with the same heap limit, in one worker', async () => {
    const first = createScanner(97, 60_000);
    const second = createScanner(97, 60_000);
    expect(first.workersStarted()).toBe(0);
    for (let round = 0; round < 5; round++) {
      expect(codesOf(await first.scan(SHELL, `a${round}.js`))).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
      expect(codesOf(await second.scan('export const x = 1;\n', `b${round}.js`))).toEqual([]);
    }
    const parallel = await Promise.all(
      Array.from({ length: 8 }, (_, index) => first.scan(SHELL, `c${index}.js`)),
    );
    expect(parallel.map(codesOf)).toEqual(Array(8).fill(['SHELL_MODULE', 'SHELL_EXEC']));
    expect(first.workersStarted()).toBe(1);
    expect(second.workersStarted()).toBe(1);
  }, 60_000);

  it('a file that overruns the time limit ends the worker; files queued behind it are scanned by its replacement', async () => {
    const hasty = createScanner(98, 1);
    const patient = createScanner(98, 60_000);
    expect(codesOf(await patient.scan(SHELL, 'warm.js'))).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
    const [slow, queued] = await Promise.all([hasty.scan(SLOW, 'slow.js'), patient.scan(SHELL, 'after.js')]);
    expect(codesOf(slow)).toEqual(['SCAN_INCOMPLETE']);
    expect(slow.uses[0]!.finding.file).toBe('slow.js');
    expect(slow.uses[0]!.finding.message).toContain('took longer than 1 ms');
    // The time limit belongs to the job, not the worker: the patient scanner's file was not blamed.
    expect(codesOf(queued)).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
    expect(patient.workersStarted()).toBe(2);
    expect(codesOf(await patient.scan(SHELL, 'later.js'))).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
    expect(patient.workersStarted()).toBe(2);
  }, 60_000);

  it('a file that exhausts the heap ends the worker, the host keeps going, and the next file gets a new worker', async () => {
    const scanner = createScanner(16, 60_000);
    const huge = await scanner.scan(`const list = [${'1,'.repeat(2_000_000)}];\n`, 'huge.js');
    expect(codesOf(huge)).toEqual(['SCAN_INCOMPLETE']);
    expect(huge.uses[0]!.finding.message).toMatch(
      /ran out of memory \(the scan's limit is 16 MiB\)|scan worker/,
    );
    expect(codesOf(await scanner.scan(SHELL, 'next.js'))).toEqual(['SHELL_MODULE', 'SHELL_EXEC']);
    expect(scanner.workersStarted()).toBe(2);
  }, 120_000);
});
