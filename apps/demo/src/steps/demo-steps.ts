import type { DemoStep } from '../demo-context';
import { hotReloadPluginStep } from './hot-reload-plugin';
import { installExampleCopiesStep } from './install-example-copies';
import { listExamplePluginsStep } from './list-example-plugins';
import { loadAndInvokePluginsStep } from './load-and-invoke-plugins';
import { refuseUndeclaredAccessStep } from './refuse-undeclared-access';
import { tearDownStep } from './tear-down';

/** The demo's steps, in order. */
export const DEMO_STEPS: readonly DemoStep[] = [
  listExamplePluginsStep,
  installExampleCopiesStep,
  loadAndInvokePluginsStep,
  hotReloadPluginStep,
  refuseUndeclaredAccessStep,
  tearDownStep,
];
