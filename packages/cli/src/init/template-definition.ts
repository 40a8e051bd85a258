import { definePlugin, z } from '@agentplug/sdk';

/**
 * The plugin the generated project starts with, defined here too so `init` writes plugin.json
 * generated from the same schemas. Keep it equal to `PLUGIN_SOURCE` in project-files.ts; the
 * generated project's own test fails if the two differ (it checks plugin.json against the code).
 */
export const templateDefinition: ReturnType<typeof definePlugin> = definePlugin({
  config: z.object({ greeting: z.string().default('Hello') }),
  capabilities: {
    greet: {
      description: 'Greets someone by name',
      params: z.object({ name: z.string().min(1).describe('Who to greet') }),
      handler: ({ name }, { config }) => `${config.greeting}, ${name}!`,
    },
  },
});
