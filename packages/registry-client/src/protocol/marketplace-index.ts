import {
  type PluginDependency,
  type PluginPermissions,
  type PluginType,
  PluginTypeSchema,
  type RiskLevel,
  RiskLevelSchema,
} from '@agentplug/models';
import { isValidConstraint } from '@agentplug/version';
import { z } from 'zod';
import { assertPluginId, assertVersion, isProtocolPluginId, isProtocolVersion } from './identifiers';

/** The protocol version this package speaks; see PROTOCOL.md in @agentplug/marketplace. */
export const MARKETPLACE_PROTOCOL_VERSION = 1;
/** The `_type` of a signed index document. */
export const INDEX_TYPE = 'agentplug-index';
/** The path of the signed index, relative to the marketplace URL. */
export const INDEX_PATH = 'index.json';
/** The folder of the archives, relative to the marketplace URL. */
export const ARCHIVES_PATH = 'archives';

/** One published version of a plugin in the signed index, snake_case as on the wire. */
export interface IndexVersionEntry {
  version: string;
  dependencies: PluginDependency[];
  min_runtime_version: string;
  max_runtime_version: string;
  permissions: PluginPermissions;
  security_score: number;
  risk_level: RiskLevel;
  /** Lowercase hex sha256 of the archive bytes. */
  sha256: string;
  /** Size of the archive in bytes. */
  size: number;
  /** ISO 8601 time of publication. */
  published_at: string;
  yanked: boolean;
}

/** One plugin in the signed index: what search shows, and every published version. */
export interface IndexPluginEntry {
  plugin_id: string;
  name: string;
  description: string;
  plugin_type: PluginType;
  tags: string[];
  author: string;
  downloads: number;
  rating: number;
  rating_count: number;
  versions: Record<string, IndexVersionEntry>;
}

/** The signed part of the index. */
export interface SignedIndexBody {
  _type: 'agentplug-index';
  protocol_version: number;
  /** Monotonic: a client refuses an index whose version is lower than one it has seen. */
  version: number;
  /** ISO 8601 time after which a client refuses the index. */
  expires: string;
  /** ISO 8601 time of signing. */
  signed_at: string;
  /** Path of the server's search endpoint relative to the marketplace URL, when a server offers one. */
  search_endpoint?: string;
  plugins: Record<string, IndexPluginEntry>;
}

/** One ed25519 signature over the canonical serialisation of `signed`. */
export interface IndexSignature {
  /** sha256 (hex) of the signing key's SPKI DER public key. */
  keyid: string;
  /** base64 ed25519 signature. */
  sig: string;
}

/** The index document served at `index.json`. */
export interface SignedIndex {
  signed: SignedIndexBody;
  signatures: IndexSignature[];
}

const permissionsSchema = z.looseObject({
  filesystem_read: z.array(z.string()).default([]),
  filesystem_write: z.array(z.string()).default([]),
  network_hosts: z.array(z.string()).default([]),
  external_apis: z.array(z.string()).default([]),
  environment_variables: z.array(z.string()).default([]),
});

const pluginIdSchema = z.string().refine(isProtocolPluginId, 'must be a reverse-DNS plugin id');
const versionSchema = z.string().refine(isProtocolVersion, 'must be a semantic version');
const runtimeBoundSchema = z
  .string()
  .default('*')
  .refine((bound) => bound === '*' || isProtocolVersion(bound), 'must be a semantic version or "*"');

const versionEntrySchema = z.object({
  version: versionSchema,
  dependencies: z
    .array(
      z.looseObject({
        plugin_id: pluginIdSchema,
        version_constraint: z
          .string()
          .default('*')
          .refine(
            (constraint) => constraint.length <= 256 && isValidConstraint(constraint),
            'must be a constraint',
          ),
        optional: z.boolean().default(false),
      }),
    )
    .default([]),
  min_runtime_version: runtimeBoundSchema,
  max_runtime_version: runtimeBoundSchema,
  permissions: permissionsSchema,
  security_score: z.number().min(0).max(100),
  risk_level: RiskLevelSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  published_at: z.string(),
  yanked: z.boolean().default(false),
});

const pluginEntrySchema = z.object({
  plugin_id: pluginIdSchema,
  name: z.string(),
  description: z.string(),
  plugin_type: PluginTypeSchema,
  tags: z.array(z.string()).default([]),
  author: z.string(),
  downloads: z.number().int().min(0).default(0),
  rating: z.number().min(0).max(5).default(0),
  rating_count: z.number().int().min(0).default(0),
  versions: z.record(versionSchema, versionEntrySchema),
});

/**
 * Schema of {@link SignedIndexBody}, the same rules `checkIndexBody` applies by hand (which also
 * checks that each key equals its entry's `plugin_id` or `version`).
 */
export const SignedIndexBodySchema: z.ZodType<SignedIndexBody> = z.object({
  _type: z.literal(INDEX_TYPE),
  protocol_version: z.number().int(),
  version: z.number().int().min(0),
  expires: z.string(),
  signed_at: z.string(),
  search_endpoint: z.string().optional(),
  plugins: z.record(pluginIdSchema, pluginEntrySchema),
}) as unknown as z.ZodType<SignedIndexBody>;

/**
 * The archive file name of a plugin version: `<plugin_id>-<version>.tgz`.
 * @throws PluginError INVALID_ARGUMENT when the id or the version is not one the protocol accepts
 */
export function formatArchiveName(pluginId: string, version: string): string {
  assertPluginId(pluginId, 'INVALID_ARGUMENT', 'the plugin id');
  assertVersion(version, 'INVALID_ARGUMENT', 'the version');
  return `${pluginId}-${version}.tgz`;
}
