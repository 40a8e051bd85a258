import { PERMISSION_KINDS, type PermissionKind, type PluginPermissions } from '@agentplug/models';

/** Plain words for each kind: a sentence start for the plugin page and a short label for results. */
export const PERMISSION_WORDS: Readonly<Record<PermissionKind, { sentence: string; short: string }>> = {
  filesystem_read: { sentence: 'Reads files in', short: 'reads files' },
  filesystem_write: { sentence: 'Writes files in', short: 'writes files' },
  network_hosts: { sentence: 'Connects over the network to', short: 'network' },
  external_apis: { sentence: 'Calls the external APIs', short: 'external APIs' },
  environment_variables: { sentence: 'Reads the environment variables', short: 'environment' },
};

/** One declared permission kind with its entries. */
export interface DeclaredPermission {
  kind: PermissionKind;
  entries: string[];
}

function entriesOf(permissions: Partial<PluginPermissions> | undefined, kind: PermissionKind): string[] {
  const value = permissions?.[kind];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** The kinds a version declares, with their entries (empty kinds left out). */
export function listDeclaredPermissions(
  permissions: Partial<PluginPermissions> | undefined,
): DeclaredPermission[] {
  return PERMISSION_KINDS.map((kind) => ({ kind, entries: entriesOf(permissions, kind) })).filter(
    (declared) => declared.entries.length > 0,
  );
}

/**
 * What `next` declares that `previous` did not: the entries each kind gained. Empty when the
 * version asks for nothing new (the same or less).
 */
export function findWidenedPermissions(
  previous: Partial<PluginPermissions> | undefined,
  next: Partial<PluginPermissions> | undefined,
): DeclaredPermission[] {
  return PERMISSION_KINDS.map((kind) => {
    const before = new Set(entriesOf(previous, kind));
    return { kind, entries: entriesOf(next, kind).filter((entry) => !before.has(entry)) };
  }).filter((widened) => widened.entries.length > 0);
}
