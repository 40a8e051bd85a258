import { z } from 'zod';
import { checkJsonSchema } from '../manifest/check-json-schema';
import { addCodedIssue } from './rules';

/** A JSON Schema document, as an object. */
export type JsonSchemaObject = Record<string, unknown>;

/** A JSON Schema object that must itself be valid JSON Schema (draft 2020-12 or draft-07). */
export function jsonSchemaObject(description: string): z.ZodType<JsonSchemaObject, JsonSchemaObject> {
  return z
    .record(z.string(), z.unknown())
    .superRefine((schema, context) => {
      for (const problem of checkJsonSchema(schema)) {
        addCodedIssue(context, 'INVALID_JSON_SCHEMA', `not valid JSON Schema: ${problem}`);
      }
    })
    .meta({ description });
}
