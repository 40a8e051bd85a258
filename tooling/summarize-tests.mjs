// Adds up the vitest JSON reports every package wrote and prints one closing line for CI:
// "N passed, N failed". Exits non-zero when no test ran at all. `--clean` removes old reports first.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const clean = process.argv.includes('--clean');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ['packages', 'apps']) {
  const groupPath = join(root, group);
  if (!existsSync(groupPath)) continue;
  for (const name of readdirSync(groupPath)) {
    const report = join(groupPath, name, 'node_modules', '.vitest', 'results.json');
    if (!existsSync(report)) continue;
    if (clean) {
      rmSync(report);
      continue;
    }
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests ?? 0;
    failed += results.numFailedTests ?? 0;
    skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  }
}
if (clean) process.exit(0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(passed === 0 || failed > 0 ? 1 : 0);
