// Runs every package's `check:package` script (publint --strict --pack npm, attw --pack) with npm,
// one package after the other, after the build. No pnpm is involved: turbo and publint's default
// packing both run whichever `pnpm` is first on PATH, and a contributor's global pnpm of another
// version refuses to switch to the pinned one when the registry serves no signature for it, so
// the checks failed on such a machine before linting anything. `npm pack` is what publint and attw
// pack with here; .ci/run proves it by running this with a `pnpm` that always fails first on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packagesFolder = join(root, 'packages');
const failed = [];
let checked = 0;
for (const name of readdirSync(packagesFolder).sort()) {
  const folder = join(packagesFolder, name);
  const manifestPath = join(folder, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (typeof manifest.scripts?.['check:package'] !== 'string') continue;
  if (!existsSync(join(folder, 'dist'))) {
    console.error(`${manifest.name}: no dist folder; build first (npx --yes pnpm@10.34.8 build)`);
    failed.push(manifest.name);
    continue;
  }
  console.log(`\n--- ${manifest.name}: ${manifest.scripts['check:package']}`);
  const result = spawnSync('npm', ['run', '--silent', 'check:package'], {
    cwd: folder,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0' },
  });
  checked += 1;
  if (result.status !== 0) failed.push(manifest.name);
}
console.log(
  `\n${checked} packages checked, ${failed.length} failed${failed.length ? `: ${failed.join(', ')}` : ''}`,
);
process.exit(failed.length > 0 || checked === 0 ? 1 : 0);
