import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PluginError } from '@agentplug/models';

/** This module's URL in ESM, in the CommonJS build (no import.meta) and from source alike. */
function currentModuleUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * Finds the worker bootstrap: `./worker/bootstrap.mjs` beside this file in the sources, or
 * `./isolation/worker/bootstrap.mjs` beside the bundled `dist/index.js` (the build copies it).
 *
 * @throws PluginError INTERNAL when neither exists (a build that did not copy the folder)
 */
export function locateWorkerBootstrap(moduleUrl: string = currentModuleUrl()): URL {
  for (const candidate of ['./worker/bootstrap.mjs', './isolation/worker/bootstrap.mjs']) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(url)) return url;
  }
  throw new PluginError('INTERNAL', `the isolated-plugin worker bootstrap is missing next to ${moduleUrl}`);
}
