import { definePlugin, z } from '@agentplug/sdk';

const events = [];

/** A plugin written with the sdk, loaded by the real loader in the testing host's tests. */
export const createPlugin = definePlugin({
  config: z.object({ greeting: z.string().default('Hello') }),
  initialize: () => void events.push('initialize'),
  activate: () => void events.push('activate'),
  deactivate: () => void events.push('deactivate'),
  cleanup: () => void events.push('cleanup'),
  capabilities: {
    greet: {
      description: 'Greets someone by name',
      params: z.object({ name: z.string().min(1), times: z.number().int().min(1).default(1) }),
      handler: ({ name, times }, { config }) => Array(times).fill(`${config.greeting}, ${name}!`).join(' '),
    },
    events: {
      description: 'The lifecycle hooks run so far',
      params: z.object({}),
      handler: () => [...events],
    },
  },
});
