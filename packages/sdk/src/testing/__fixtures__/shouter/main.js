import { defineMiddleware, z } from '@agentplug/sdk';

/** A middleware written with the sdk: upper-cases the answer, adding a configurable suffix. */
export default defineMiddleware({
  config: z.object({ suffix: z.string().default('!') }),
  handle: async (request, next, { config }) => `${String(await next(request)).toUpperCase()}${config.suffix}`,
});
