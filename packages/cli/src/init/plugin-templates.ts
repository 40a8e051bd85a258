import {
  defineCustom,
  defineEngine,
  defineIntegration,
  defineMiddleware,
  defineTool,
  type MiddlewareNext,
  type PluginDefinitionInfo,
  type PluginType,
  z,
} from '@agentplug/sdk';

/** The starting code of one plugin type: its source and the same definition, to write plugin.json from. */
export interface PluginTemplate {
  /** `src/main.ts` of the new project. */
  source: string;
  /**
   * The definition `source` makes, built here too so `init` writes plugin.json from the same zod
   * schemas. `init.test.ts` bundles each source and checks the two agree; the generated project's
   * own test checks it again.
   */
  definition: PluginDefinitionInfo;
  /** Extra test cases for `test/plugin.test.mjs` (the common ones run greet in a worker). */
  extraTests: string;
}

const CONFIG_SOURCE = `config: z.object({ greeting: z.string().default('Hello') })`;
const GREET_PARAMS_SOURCE = `params: z.object({ name: z.string().min(1).describe('Who to greet') })`;
const config = z.object({ greeting: z.string().default('Hello') });
const greetParams = z.object({ name: z.string().min(1).describe('Who to greet') });
const greetDescription = 'Greets someone by name';

function simpleSource(helper: string, pluginType: PluginType): string {
  return `import { ${helper}, z } from '@agentplug/sdk';

/**
 * The plugin (a ${pluginType} plugin). Each capability's params are a zod schema; the handler's
 * parameter type is inferred from it, and plugin.json's JSON Schema is generated from it
 * (\`agentplug pack\` checks they agree; \`--write-manifest\` rewrites plugin.json).
 */
export const createPlugin = ${helper}({
  ${CONFIG_SOURCE},
  capabilities: {
    greet: {
      description: '${greetDescription}',
      ${GREET_PARAMS_SOURCE},
      handler: ({ name }, { config }) => \`\${config.greeting}, \${name}!\`,
    },
  },
});
`;
}

const simpleCapabilities = {
  greet: {
    description: greetDescription,
    params: greetParams,
    handler: ({ name }: { name: string }, { config: values }: { config: { greeting: string } }) =>
      `${values.greeting}, ${name}!`,
  },
};

const MIDDLEWARE_SOURCE = `import { defineMiddleware, type MiddlewareNext, z } from '@agentplug/sdk';

/** What the host passes through its middleware chain; change it to your host's request type. */
export interface Request {
  prompt: string;
}

/**
 * The plugin (a middleware plugin): \`handle\` wraps each request the host passes down its chain
 * (the host runs middleware in its own thread, since \`next\` is a function); capabilities are
 * called like any plugin's, in any isolation tier.
 */
export const createPlugin = defineMiddleware({
  ${CONFIG_SOURCE},
  handle: async (request: Request, next: MiddlewareNext<Request, string>, { config }) =>
    next({ prompt: \`\${config.greeting}: \${request.prompt}\` }),
  capabilities: {
    greet: {
      description: '${greetDescription}',
      ${GREET_PARAMS_SOURCE},
      handler: ({ name }, { config }) => \`\${config.greeting}, \${name}!\`,
    },
  },
});
`;

const MIDDLEWARE_TESTS = `
test('handle passes the request on with the greeting, in the host thread as middleware runs', async () => {
  const host = await createTestHost({ pluginPath, config: { greeting: 'Hi' } });
  try {
    const answer = await host.state.instance.handle({ prompt: 'go' }, async (request) => request.prompt);
    assert.equal(answer, 'Hi: go');
  } finally {
    await host.close();
  }
});
`;

const INTEGRATION_SOURCE = `import { defineIntegration, z } from '@agentplug/sdk';

/**
 * The plugin (an integration plugin): \`connect\` opens the connection to the outside service when
 * the plugin is activated, \`disconnect\` closes it; handlers get it as \`context.connection\`.
 * Declare the hosts it reaches in plugin.json's permissions.network_hosts.
 */
export const createPlugin = defineIntegration({
  ${CONFIG_SOURCE},
  connect: ({ config }) => ({ greeting: config.greeting, openedAt: Date.now() }),
  disconnect: () => {},
  capabilities: {
    greet: {
      description: '${greetDescription}',
      ${GREET_PARAMS_SOURCE},
      handler: ({ name }, { connection }) => \`\${connection.greeting}, \${name}!\`,
    },
  },
});
`;

/** The plugin types `init` offers, in the order `--help` lists them. */
export const TEMPLATE_TYPES: readonly PluginType[] = [
  'tool',
  'engine',
  'middleware',
  'integration',
  'custom',
];

/** The starting code of a new project of this plugin type. */
export function getPluginTemplate(pluginType: PluginType): PluginTemplate {
  switch (pluginType) {
    case 'tool':
      return {
        source: simpleSource('defineTool', 'tool'),
        definition: defineTool({ config, capabilities: simpleCapabilities }),
        extraTests: '',
      };
    case 'engine':
      return {
        source: simpleSource('defineEngine', 'engine'),
        definition: defineEngine({ config, capabilities: simpleCapabilities }),
        extraTests: '',
      };
    case 'custom':
      return {
        source: simpleSource('defineCustom', 'custom'),
        definition: defineCustom({ config, capabilities: simpleCapabilities }),
        extraTests: '',
      };
    case 'middleware':
      return {
        source: MIDDLEWARE_SOURCE,
        definition: defineMiddleware({
          config,
          handle: async (request: { prompt: string }, next: MiddlewareNext<{ prompt: string }, string>) =>
            next(request),
          capabilities: simpleCapabilities,
        }),
        extraTests: MIDDLEWARE_TESTS,
      };
    case 'integration':
      return {
        source: INTEGRATION_SOURCE,
        definition: defineIntegration({
          config,
          connect: () => ({ greeting: 'Hello' }),
          capabilities: { greet: { description: greetDescription, params: greetParams, handler: () => '' } },
        }),
        extraTests: '',
      };
  }
}
