import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function validatorFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('draft-07')) {
    draft07 ??= new Ajv({ strict: false, validateSchema: true });
    return draft07;
  }
  draft2020 ??= new Ajv2020({ strict: false, validateSchema: true });
  return draft2020;
}

/**
 * Checks a JSON Schema against its meta-schema (draft 2020-12, or draft-07 when `$schema` says
 * so) and returns one readable line per problem; empty when the schema is valid.
 */
export function checkJsonSchema(schema: Record<string, unknown>): string[] {
  const declared = schema.$schema;
  if (declared !== undefined && !(typeof declared === 'string' && /draft-07|draft\/2020-12/.test(declared))) {
    return [`unsupported $schema ${JSON.stringify(declared)}: use draft 2020-12 or draft-07`];
  }
  const ajv = validatorFor(schema);
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  if (valid) return [];
  return (ajv.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}
