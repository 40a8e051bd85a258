import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./helpers/nested-esm-reload.ts', import.meta.url));
const packageFolder = fileURLToPath(new URL('..', import.meta.url));

describe('hot reload of ES module plugins in plain Node', () => {
  it('re-evaluates the files the entry imports, not only the entry', async () => {
    // A child process, because vitest's module runner stands in for Node's module loader here.
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@agentplug/source', '--import', 'tsx', script],
      {
        cwd: packageFolder,
      },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ before: 'a-first', after: 'b-second' });
  });
});
