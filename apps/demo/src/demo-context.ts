import type { PluginLoader } from '@agentplug/loader';
import type { MarketplaceServer } from '@agentplug/marketplace';
import type { PluginRegistry } from '@agentplug/registry-client';
import type { PluginValidator } from '@agentplug/validator';
import type { ExamplePlugin } from './examples/find-example-plugins';
import type { DemoOutput } from './output/demo-output';
import type { DemoOptions } from './parse-demo-options';
import type { WeatherService } from './services/start-weather-service';
import type { DemoWorkspace } from './workspace/create-demo-workspace';

/** Something the demo must release when it ends, even when a step failed. */
export interface DeferredRelease {
  /** What is released, e.g. `marketplace server`. */
  name: string;
  release(): Promise<void>;
}

/** State the demo's steps share: what earlier steps built and later steps use. */
export interface DemoContext {
  options: DemoOptions;
  output: DemoOutput;
  /** The temporary folders every file of the run goes to. */
  workspace: DemoWorkspace;
  /** The example plugins found in the examples folder (step 0). */
  examples: ExamplePlugin[];
  /** The marketplace server on 127.0.0.1 (step 1). */
  marketplace?: MarketplaceServer;
  /** The bearer token that lets the demo publish to its marketplace. */
  publishToken?: string;
  /** The host's validator, shared by the registry and the loader. */
  validator?: PluginValidator;
  /** The host's registry client, installing into `workspace.pluginsFolder` (step 2). */
  registry?: PluginRegistry;
  /** The host's plugin loader, over `workspace.pluginsFolder` (step 4). */
  loader?: PluginLoader;
  /** The local HTTP service the weather integration calls (step 4). */
  weatherService?: WeatherService;
  /** Releases still owed, in the order they were taken on; released last first. */
  deferred: DeferredRelease[];
}

/** One headed, timed step of the demo. */
export interface DemoStep {
  /** The step's number in the printed flow. */
  number: number;
  title: string;
  run(context: DemoContext): Promise<void>;
}

/** Takes on a release: `release` runs when the demo ends unless a step settles it first with the returned function. */
export function deferRelease(
  context: DemoContext,
  name: string,
  release: () => Promise<void>,
): () => Promise<void> {
  const entry: DeferredRelease = { name, release };
  context.deferred.push(entry);
  return async () => {
    const index = context.deferred.indexOf(entry);
    if (index === -1) return;
    context.deferred.splice(index, 1);
    await release();
  };
}

/** Settles the release taken on under `name` now, if it is still owed. */
export async function settleDeferred(context: DemoContext, name: string): Promise<void> {
  const index = context.deferred.findIndex((entry) => entry.name === name);
  if (index === -1) return;
  const [entry] = context.deferred.splice(index, 1);
  await entry?.release();
}

/** Releases everything still owed, last taken first; a failing release does not stop the others. */
export async function releaseDeferred(context: DemoContext): Promise<string[]> {
  const failures: string[] = [];
  while (context.deferred.length > 0) {
    const entry = context.deferred.pop()!;
    try {
      await entry.release();
    } catch (error) {
      failures.push(`${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}
