import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** How the tests start Chromium: headless, no sandbox (CI runs as root), nothing phoning home. */
export const CHROMIUM_ARGUMENTS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const NAMES = ['chromium', 'chromium-browser'];

/**
 * The Chromium executable: Debian's `chromium` package (what `.ci/run` installs), found on PATH.
 * @throws Error naming the package to install when there is none
 */
export function findChromium(): string {
  const folders = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const folder of [...folders, '/usr/bin']) {
    for (const name of NAMES) {
      const path = join(folder, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // Not here; the next folder may have it.
      }
    }
  }
  throw new Error('Chromium is not installed: run `apt-get install -y chromium` (Debian), as .ci/run does');
}

/** Starts Debian's Chromium through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_ARGUMENTS],
    timeout: 120_000,
  });
}
