// Writes plugin.schema.json and config.schema.json from the built zod schemas, so they ship with the package.
import { writeFileSync } from 'node:fs';
import { createConfigJsonSchema, createPluginJsonSchema } from '../dist/index.js';

writeFileSync(
  new URL('../dist/plugin.schema.json', import.meta.url),
  `${JSON.stringify(createPluginJsonSchema(), null, 2)}\n`,
);
writeFileSync(
  new URL('../dist/config.schema.json', import.meta.url),
  `${JSON.stringify(createConfigJsonSchema(), null, 2)}\n`,
);
