// Module customization hooks of one isolated plugin, for Node versions without in-thread hooks
// (`module.register`: Node runs them on a hooks thread of the plugin's worker). The checks are
// the module gate's; permission events go to the host over their own port.
import { createModuleGate } from './module-gate.mjs';
import { portPostMessage } from './primordials.mjs';

let gate;

/** Receives the plugin id, the resolved read roots and the port audit events go to. */
export async function initialize(data) {
  const { pluginId, readRoots, auditPort } = data;
  gate = createModuleGate({
    pluginId,
    readRoots,
    report(capability, target, allowed) {
      portPostMessage(auditPort, { type: 'permission', capability, target, allowed });
    },
  });
}

/** Refuses denied built-ins and files outside the readable folders. */
export async function resolve(specifier, context, nextResolve) {
  const request = gate.checkSpecifier(specifier);
  gate.checkRequestedFile(request, context.parentURL);
  const result = await nextResolve(request, context);
  gate.checkResolved(result.url);
  return result;
}
