import { z } from 'zod';
import { addCodedIssue, hasParentSegment } from './rules';

/** What a plugin declares it needs; checked by the validator and enforced in the worker sandbox. */
export interface PluginPermissions {
  filesystem_read: string[];
  filesystem_write: string[];
  network_hosts: string[];
  external_apis: string[];
  environment_variables: string[];
  [key: string]: unknown;
}

/** Permissions as written in plugin.json. */
export interface PluginPermissionsInput {
  filesystem_read?: string[];
  filesystem_write?: string[];
  network_hosts?: string[];
  external_apis?: string[];
  environment_variables?: string[];
  [key: string]: unknown;
}

const pathList = z
  .array(
    z.string().superRefine((path, context) => {
      if (path.length === 0) addCodedIssue(context, 'EMPTY_PATH', 'a permission path cannot be empty');
      if (hasParentSegment(path)) {
        addCodedIssue(context, 'PATH_ESCAPE', `"${path}" contains "..": declare the real folder instead`);
      }
    }),
  )
  .default([]);

const hostList = z
  .array(
    z.string().superRefine((host, context) => {
      if (!/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host)) {
        addCodedIssue(
          context,
          'INVALID_HOST',
          `"${host}" is not a host name (use api.example.com, *.example.com or host:port)`,
        );
      }
    }),
  )
  .default([]);

const nameList = z.array(z.string().min(1)).default([]);

/** Schema of {@link PluginPermissions}. */
export const PluginPermissionsSchema: z.ZodType<PluginPermissions, PluginPermissionsInput> = z.looseObject({
  filesystem_read: pathList,
  filesystem_write: pathList,
  network_hosts: hostList,
  external_apis: nameList,
  environment_variables: z
    .array(
      z.string().superRefine((name, context) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          addCodedIssue(context, 'INVALID_ENV_NAME', `"${name}" is not an environment variable name`);
        }
      }),
    )
    .default([]),
});

/** The five permission lists every manifest has, in the order they are explained to a user. */
export const PERMISSION_KINDS = [
  'filesystem_read',
  'filesystem_write',
  'network_hosts',
  'external_apis',
  'environment_variables',
] as const;

/** One kind of permission a manifest declares. */
export type PermissionKind = (typeof PERMISSION_KINDS)[number];
