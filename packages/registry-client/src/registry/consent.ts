import { PluginError } from '@agentplug/models';
import type { InstallConfirmation, InstallPlan } from './registry-options';

/**
 * Asks for consent to a plan, when it changes anything, and says whether the permissions it widens
 * were approved: by `approvePermissions`, or by a confirmation answering `{ approvePermissions: true }`.
 * A plan that widens granted permissions without that approval is refused here, before anything
 * downloads: the registry enforces consent, whatever its caller does.
 * @throws PluginError DECLINED (the confirmation said no), PERMISSIONS_ESCALATED (widening not approved)
 */
export async function obtainConsent(
  plan: InstallPlan,
  options: {
    approvePermissions?: boolean | undefined;
    confirm?: ((plan: InstallPlan) => InstallConfirmation | Promise<InstallConfirmation>) | undefined;
    /** `installing` or `updating`, for the messages. */
    action: string;
  },
): Promise<boolean> {
  const changes = plan.steps.filter((step) => step.action !== 'unchanged');
  let approved = options.approvePermissions === true;
  if (options.confirm !== undefined && changes.length > 0) {
    const answer = await options.confirm(plan);
    if (answer === false) {
      throw new PluginError(
        'DECLINED',
        `${options.action} ${plan.pluginId}@${plan.version} was declined: nothing was changed`,
        { details: { pluginId: plan.pluginId, version: plan.version } },
      );
    }
    if (typeof answer === 'object' && answer !== null && answer.approvePermissions === true) approved = true;
  }
  const widening = changes.filter((step) => step.widens);
  if (widening.length > 0 && !approved) {
    const reasons = widening.map((step) => {
      const added = Object.entries(step.newPermissions)
        .map(([kind, values]) => `${kind}: ${values.join(', ')}`)
        .join('; ');
      return `${step.pluginId}@${step.version} adds ${added}`;
    });
    throw new PluginError(
      'PERMISSIONS_ESCALATED',
      `${options.action} ${plan.pluginId}@${plan.version} widens granted permissions and they were not approved, so nothing was changed: ${reasons.join('; ')}`,
      {
        details: {
          pluginId: plan.pluginId,
          version: plan.version,
          escalated: Object.fromEntries(widening.map((step) => [step.pluginId, step.newPermissions])),
        },
      },
    );
  }
  return approved;
}
