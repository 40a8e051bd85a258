import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PluginError } from '@agentplug/models';

/** This module's URL in ESM, in the CommonJS build (no import.meta) and from source alike. */
function currentModuleUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * Finds a file of the isolated-plugin runtime (the plain JavaScript that runs inside workers and
 * plugin processes): `./runtime/<name>` beside this file in the sources, or
 * `./isolation/runtime/<name>` beside the bundled `dist/index.js` (the build copies the folder).
 *
 * @throws PluginError INTERNAL when neither exists (a build that did not copy the folder)
 */
export function locateRuntimeFile(name: string, moduleUrl: string = currentModuleUrl()): URL {
  for (const candidate of [`./runtime/${name}`, `./isolation/runtime/${name}`]) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(url)) return url;
  }
  throw new PluginError(
    'INTERNAL',
    `the isolated-plugin runtime file ${name} is missing next to ${moduleUrl}`,
  );
}
