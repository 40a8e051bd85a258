import { describe, expect, it } from 'vitest';
import { scanSource } from './scan-source';

const START = "process.getBuiltinModule('child_process').execSync('id')";

describe('code the file builds from strings and runs', () => {
  it('is scanned, and what it reaches is reported where it runs, saying so', () => {
    const findings = scanSource(`const x = 1;\neval(${JSON.stringify(START)});`, { filename: 'main.js' });
    expect(findings.map((finding) => [finding.code, finding.line, finding.column])).toEqual([
      ['EVAL_CALL', 2, 1],
      ['SHELL_MODULE', 2, 1],
      ['SHELL_EXEC', 2, 1],
    ]);
    expect(findings[2]?.message).toBe(
      'runs code built from a string that starts a process with child_process.execSync: "id"',
    );
  });

  it('gives eval the value of its last expression', () => {
    const findings = scanSource("eval('1; require')('child_process').execSync('id');", {
      filename: 'main.cjs',
    });
    expect(findings.map((finding) => finding.code)).toContain('SHELL_EXEC');
  });

  it('scans a Function body with its parameters bound, and the code of a string timer or module._compile', () => {
    const body = scanSource("Function('fs', 'return fs.x + process.env.TOKEN')", { filename: 'main.js' });
    expect(body.map((finding) => [finding.code, finding.message])).toEqual([
      [
        'FUNCTION_CONSTRUCTOR',
        'builds a function from a string with Function: "return fs.x + process.env.TOKEN"',
      ],
      ['ENV_READ', 'runs code built from a string that reads process.env.TOKEN'],
    ]);
    const timer = scanSource('setTimeout("require(\'net\').connect(80)", 1);', { filename: 'main.js' });
    expect(timer.map((finding) => finding.code)).toEqual([
      'STRING_TIMER',
      'NETWORK_MODULE',
      'NETWORK_REQUEST',
    ]);
    const compiled = scanSource("module._compile(\"require('child_process').exec('id')\", 'x.js');", {
      filename: 'main.cjs',
    });
    expect(compiled.map((finding) => finding.code)).toEqual(['MODULE_COMPILE', 'SHELL_MODULE', 'SHELL_EXEC']);
  });

  it('stops following code run by code at a depth, and skips code that does not parse', () => {
    let nested = START;
    for (let level = 0; level < 8; level++) nested = `eval(${JSON.stringify(nested)})`;
    expect(scanSource(nested, { filename: 'main.js' }).map((finding) => finding.code)).toEqual(['EVAL_CALL']);
    expect(scanSource("eval('1 +');", { filename: 'main.js' }).map((finding) => finding.code)).toEqual([
      'EVAL_CALL',
    ]);
  });

  it('keeps `Function("return this")` a shim, not a finding', () => {
    expect(scanSource("const root = Function('return this')();", { filename: 'main.js' })).toEqual([]);
  });
});
