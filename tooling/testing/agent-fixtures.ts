// Fixtures shared by the agent framework adapters' tests (packages/ai-sdk, langchain,
// openai-agents): a private copy of the example plugins, a hot-reloadable edit of the hello
// plugin, and a local forecast service that can be told to stall. Real folders and a real HTTP
// server on 127.0.0.1; the tests drive the real PluginLoader over them.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's example plugins. */
export const examplesFolder: string = fileURLToPath(new URL('../../examples/plugins/', import.meta.url));

/** The example plugins the adapter tests load, by folder name (calculator needs mathlib-v2). */
export const AGENT_TEST_EXAMPLES: readonly string[] = [
  'hello',
  'calculator',
  'mathlib-v2',
  'text-tools',
  'word-stats',
  'weather',
];

/** A temporary folder holding copies of example plugins, removed by `remove`. */
export interface ExamplePluginFolder {
  path: string;
  remove(): Promise<void>;
}

/** Copies example plugins into a fresh temporary folder, so tests may edit them. */
export async function copyExamplePlugins(
  folders: readonly string[] = AGENT_TEST_EXAMPLES,
): Promise<ExamplePluginFolder> {
  const path = await mkdtemp(join(tmpdir(), 'agentplug-agent-test-'));
  for (const folder of folders)
    await cp(join(examplesFolder, folder), join(path, folder), { recursive: true });
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Edits the copied hello plugin as a developer would between two agent steps: a second
 * capability, `farewell`, in plugin.json and in main.js. Reloading it makes the new tool appear.
 */
export async function addFarewellToHello(pluginsFolder: string): Promise<void> {
  const manifestPath = join(pluginsFolder, 'hello', 'plugin.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { capabilities: unknown[] };
  manifest.capabilities.push({
    name: 'farewell',
    description: 'Says goodbye to someone by name',
    version: '1.0.0',
    parameters: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
      required: ['name'],
      additionalProperties: false,
    },
  });
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  const codePath = join(pluginsFolder, 'hello', 'main.js');
  const code = await readFile(codePath, 'utf8');
  const edited = code.replace(
    /\n}\s*$/,
    "\n  farewell(params) {\n    return 'Goodbye, ' + params.name + '!';\n  }\n}\n",
  );
  if (edited === code) throw new Error(`${codePath} does not end the way the fixture expects`);
  await writeFile(codePath, edited);
}

/** A local forecast service for the weather example plugin. */
export interface ForecastService {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** While true, requests get no answer at all (to make a tool call time out). */
  stalled: boolean;
  /** How many requests reached the service. */
  requests: number;
  close(): Promise<void>;
}

/** Starts a forecast service on 127.0.0.1 (a free port): `GET /forecast?city=` answers sunny, 21 °C. */
export async function startForecastService(): Promise<ForecastService> {
  const server = createServer((request, response) => {
    service.requests += 1;
    if (service.stalled) return;
    const city = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('city') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ city, summary: 'sunny', temperature_c: 21 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const service: ForecastService = {
    url: `http://127.0.0.1:${port}`,
    stalled: false,
    requests: 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return service;
}

/** The part of a PluginLoader the fixture drives (the tests pass the real one). */
export interface LoaderLike {
  discoverPlugins(): Promise<{ plugin_id: string }[]>;
  loadPlugin(
    pluginId: string,
    options: { isolation: 'worker'; validate: boolean; config?: { config: Record<string, unknown> } },
  ): Promise<unknown>;
  activatePlugin(pluginId: string): Promise<unknown>;
  getPluginState(pluginId: string): unknown;
  close(): Promise<void>;
}

/**
 * Loads the given plugins in the worker tier and activates them (construct the loader with
 * `defaultIsolation: 'worker'`, so dependencies loaded on the way run in workers too); the
 * weather plugin asks `forecastUrl`. Validation is off because `word-stats` is there on purpose:
 * it fails validation, and the tests show what the worker's sandbox does when it runs anyway.
 */
export async function activateInWorkers(
  loader: LoaderLike,
  options: { pluginIds: readonly string[]; forecastUrl: string },
): Promise<void> {
  await loader.discoverPlugins();
  for (const id of options.pluginIds) {
    // The calculator requires mathlib, which loadPlugin loads first on its own.
    if (loader.getPluginState(id)) continue;
    await loader.loadPlugin(id, {
      isolation: 'worker',
      validate: false,
      ...(id === 'com.example.weather'
        ? { config: { config: { base_url: options.forecastUrl, timeout_ms: 30_000 } } }
        : {}),
    });
  }
  for (const id of options.pluginIds) await loader.activatePlugin(id);
}

/**
 * Writes a plugin whose capabilities return what JSON cannot hold (a Date, a bigint, nothing, a
 * Map), to check that each adapter hands the model text for them.
 */
export async function writeOddResultsPlugin(pluginsFolder: string): Promise<void> {
  const folder = join(pluginsFolder, 'odd-results');
  await mkdir(folder);
  const capability = (name: string, description: string) => ({
    name,
    description,
    version: '1.0.0',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  });
  await writeFile(
    join(folder, 'plugin.json'),
    JSON.stringify({
      plugin_id: 'com.example.odd-results',
      name: 'Odd Results',
      version: '1.0.0',
      description: 'Returns values that are not plain JSON',
      author: 'agentplug tests',
      plugin_type: 'tool',
      entry_point: 'main',
      capabilities: [
        capability('moment', 'A Date'),
        capability('huge', 'A bigint'),
        capability('nothing', 'Nothing at all'),
        capability('table', 'A Map'),
      ],
      permissions: {},
    }),
  );
  await writeFile(
    join(folder, 'main.js'),
    `export class Plugin {
  moment() { return new Date(Date.UTC(2026, 0, 2, 3, 4, 5)); }
  huge() { return 2n ** 70n; }
  nothing() { return undefined; }
  table() { return new Map([['a', 1]]); }
}
`,
  );
}

/** A host for one test: a private copy of the example plugins, a loader over it, a forecast service. */
export interface AgentHost<Loader extends LoaderLike> {
  loader: Loader;
  plugins: ExamplePluginFolder;
  forecast: ForecastService;
  close(): Promise<void>;
}

/**
 * Starts a host with the given plugins active in worker sandboxes, over a private copy of the
 * example plugins (and the odd-results plugin). `createLoader` builds the real PluginLoader over
 * the folder; it must run plugins in workers (`defaultIsolation: 'worker'`).
 */
export async function startAgentHost<Loader extends LoaderLike>(
  createLoader: (pluginDirectory: string) => Loader,
  pluginIds: readonly string[],
): Promise<AgentHost<Loader>> {
  const plugins = await copyExamplePlugins();
  await writeOddResultsPlugin(plugins.path);
  const forecast = await startForecastService();
  const loader = createLoader(plugins.path);
  const close = async (): Promise<void> => {
    await loader.close();
    await forecast.close();
    await plugins.remove();
  };
  try {
    await activateInWorkers(loader, { pluginIds, forecastUrl: forecast.url });
  } catch (error) {
    await close();
    throw error;
  }
  return { loader, plugins, forecast, close };
}
