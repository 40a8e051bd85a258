import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs every bench/*.bench.ts in its own Node process (so one bench's heap never skews another's),
// with the flags this process was started with plus --expose-gc. Each prints JSON lines.
const folder = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((filter) => name.includes(filter)))
  .sort();

let failed = false;
for (const file of files) {
  const result = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', join(folder, file)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed = true;
    console.error(`${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed ? 1 : 0;
