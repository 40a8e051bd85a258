import type { DemoStep } from '../demo-context';
import { hotReloadPluginStep } from './hot-reload-plugin';
import { installFromMarketplaceStep } from './install-from-marketplace';
import { listExamplePluginsStep } from './list-example-plugins';
import { loadAndInvokePluginsStep } from './load-and-invoke-plugins';
import { publishAndUpdateStep } from './publish-and-update';
import { refuseUndeclaredAccessStep } from './refuse-undeclared-access';
import { runAgentWithPluginToolsStep } from './run-agent-with-plugin-tools';
import { searchMarketplaceStep } from './search-marketplace';
import { startMarketplaceStep } from './start-marketplace';
import { tearDownStep } from './tear-down';

/** The demo's steps, in order. */
export const DEMO_STEPS: readonly DemoStep[] = [
  listExamplePluginsStep,
  startMarketplaceStep,
  searchMarketplaceStep,
  installFromMarketplaceStep,
  loadAndInvokePluginsStep,
  hotReloadPluginStep,
  publishAndUpdateStep,
  refuseUndeclaredAccessStep,
  runAgentWithPluginToolsStep,
  tearDownStep,
];
