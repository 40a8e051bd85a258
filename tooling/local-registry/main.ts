// `pnpm registry:local`: a local npm registry holding this clone's packages, for trying the
// README's quick starts before a release. Stops (and forgets everything) on Ctrl+C.
import { publishWorkspace } from './publish-workspace';
import { startLocalRegistry } from './start-local-registry';

const registry = await startLocalRegistry();
const stop = async (): Promise<void> => {
  await registry.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  console.log(`Verdaccio listening on ${registry.url}; publishing the workspace's packages...`);
  await publishWorkspace(registry);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  await registry.close();
  process.exit(1);
}
console.log(`
Every @agentplug package of this clone is published to ${registry.url}
(other packages come from your usual registry through it). In another terminal:

  export npm_config_registry=${registry.url}
  npx @agentplug/cli --help

Use a fresh npm cache (npm_config_cache) if you republish, since npx keeps what it fetched.
Press Ctrl+C to stop the registry.`);
