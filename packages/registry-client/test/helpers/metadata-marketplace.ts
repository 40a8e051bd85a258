import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NetworkOptions } from '../../src/index';
import {
  createRootMetadata,
  formatSnapshotPath,
  generateSigningKeyPair,
  type MetadataFile,
  MetadataRepository,
  MetadataTree,
  type RoleName,
  type SigningKeyPair,
  serializeMetadata,
  signMetadata,
  type TargetsContent,
  TIMESTAMP_PATH,
} from '../../src/protocol/index';
import { startTestServer, type TestServer } from './hostile-server';

/** The keys of a test marketplace: two root keys (threshold 2) and one key for each online role. */
export interface MarketplaceKeys {
  root: SigningKeyPair[];
  targets: SigningKeyPair[];
  snapshot: SigningKeyPair[];
  timestamp: SigningKeyPair[];
}

/** Fresh keys: root 2 of 2, the online roles 1 of 1. */
export function createMarketplaceKeys(): MarketplaceKeys {
  return {
    root: [generateSigningKeyPair(), generateSigningKeyPair()],
    targets: [generateSigningKeyPair()],
    snapshot: [generateSigningKeyPair()],
    timestamp: [generateSigningKeyPair()],
  };
}

/** Signs a root of `version` for `keys`, with root threshold 2 (or `thresholds`), signed by `signers`. */
export function signRoot(
  version: number,
  keys: MarketplaceKeys,
  options: {
    signers?: SigningKeyPair[];
    expires?: Date;
    thresholds?: Partial<Record<RoleName, number>>;
  } = {},
): ReturnType<typeof createRootMetadata> {
  return createRootMetadata({
    version,
    expires: options.expires ?? new Date(Date.now() + 365 * 24 * 60 * 60 * 1000),
    keys: {
      root: keys.root.map((key) => key.publicKey),
      targets: keys.targets.map((key) => key.publicKey),
      snapshot: keys.snapshot.map((key) => key.publicKey),
      timestamp: keys.timestamp.map((key) => key.publicKey),
    },
    thresholds: { root: Math.min(2, keys.root.length), ...options.thresholds },
    signers: options.signers ?? keys.root,
  });
}

/** Targets content of a plugin with the given versions (archive hashes are made up: only metadata is fetched). */
export function targetsContent(
  pluginId: string,
  versions: string[],
  options: { dependencies?: string[] } = {},
): TargetsContent {
  const entries = Object.create(null) as TargetsContent['versions'];
  for (const version of versions) {
    entries[version] = {
      version,
      dependencies: (options.dependencies ?? []).map((dependency) => ({
        plugin_id: dependency,
        version_constraint: '^1.0.0',
        optional: false,
      })),
      min_runtime_version: '*',
      max_runtime_version: '*',
      permissions: {
        filesystem_read: [],
        filesystem_write: [],
        network_hosts: [],
        external_apis: [],
        environment_variables: [],
      },
      security_score: 100,
      risk_level: 'low',
      sha256: createHash('sha256').update(`${pluginId}@${version}`).digest('hex'),
      size: 1000,
      published_at: '2026-12-01T00:00:00.000Z',
      yanked: false,
    };
  }
  return {
    plugin: {
      name: pluginId,
      description: `the ${pluginId} plugin`,
      plugin_type: 'tool',
      tags: [],
      author: 'tests',
    },
    versions: entries,
  };
}

/**
 * A v2 marketplace on a real HTTP server: files served from a map with ETags (a 304 answers a
 * matching If-None-Match), every file ever written kept (consistent snapshots), and a hook to
 * answer a path some hostile way instead.
 */
export interface MetadataMarketplace {
  server: TestServer;
  url: string;
  files: Map<string, Uint8Array>;
  keys: MarketplaceKeys;
  repository: MetadataRepository;
  /** Stores files as a store would. */
  store(files: readonly { path: string; bytes: Uint8Array }[]): void;
  /** Answers a request some other way; return true when handled. */
  intercept: ((path: string, request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
  close(): Promise<void>;
}

/** Starts a v2 marketplace holding `plugins` (id to versions), signed by fresh keys (or `keys`). */
export async function startMetadataMarketplace(
  plugins: Record<string, string[]>,
  options: { keys?: MarketplaceKeys; timestampMs?: number; now?: Date } = {},
): Promise<MetadataMarketplace> {
  const keys = options.keys ?? createMarketplaceKeys();
  const files = new Map<string, Uint8Array>();
  const repository = MetadataRepository.create({
    signers: { targets: keys.targets, snapshot: keys.snapshot, timestamp: keys.timestamp },
    lifetimes: options.timestampMs === undefined ? undefined : { timestampMs: options.timestampMs },
  });
  const marketplace: MetadataMarketplace = {
    server: undefined as unknown as TestServer,
    url: '',
    files,
    keys,
    repository,
    store(written) {
      for (const file of written) files.set(file.path, file.bytes);
    },
    intercept: undefined,
    close: () => marketplace.server.close(),
  };
  marketplace.store([signRoot(1, keys).file]);
  for (const [pluginId, versions] of Object.entries(plugins))
    repository.putTargets(pluginId, targetsContent(pluginId, versions));
  marketplace.store(repository.commit(options.now));
  marketplace.server = await startTestServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').slice(1).split('?')[0] ?? '');
    if (marketplace.intercept?.(path, request, response) === true) return true;
    const bytes = files.get(path);
    if (bytes === undefined) return false;
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag });
      response.end();
      return true;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.byteLength, etag });
    response.end(bytes);
    return true;
  });
  marketplace.url = marketplace.server.url;
  return marketplace;
}

/** Network options for tests against a local marketplace: short deadlines, no retries. */
export const testNetwork: NetworkOptions = {
  fetch: (input, init) => fetch(input, init),
  requestTimeoutMs: 5_000,
  stallTimeoutMs: 2_000,
  totalTimeoutMs: 10_000,
  retries: 0,
  retryDelayMs: 10,
};

/**
 * What a thief with the snapshot and timestamp keys (not the targets key) can serve: the served
 * tree with one plugin's entry pointed back at an older, validly signed targets file. Returns the
 * files to store: the changed tree nodes, a new snapshot and a new timestamp.
 */
export async function attackerWithTargets(
  marketplace: {
    files: ReadonlyMap<string, Uint8Array>;
    snapshot: SigningKeyPair[];
    timestamp: SigningKeyPair[];
  },
  pluginId: string,
  oldTargets: Uint8Array,
): Promise<MetadataFile[]> {
  const timestamp = JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) ?? []).toString()) as {
    signed: { version: number; snapshot: { version: number } };
  };
  const snapshot = JSON.parse(
    Buffer.from(
      marketplace.files.get(formatSnapshotPath(timestamp.signed.snapshot.version)) ?? [],
    ).toString(),
  ) as {
    signed: {
      tree: { sha256: string; length: number };
      version: number;
      expires: string;
      plugin_count: number;
    };
  };
  const tree = await MetadataTree.load(snapshot.signed.tree, async (path) => marketplace.files.get(path));
  tree.set(pluginId, {
    version: (JSON.parse(Buffer.from(oldTargets).toString()) as { signed: { version: number } }).signed
      .version,
    sha256: createHash('sha256').update(oldTargets).digest('hex'),
    length: oldTargets.byteLength,
  });
  const { reference, files } = tree.commit();
  const snapshotVersion = snapshot.signed.version + 1;
  const snapshotBytes = serializeMetadata(
    signMetadata({ ...snapshot.signed, version: snapshotVersion, tree: reference }, marketplace.snapshot),
  );
  const timestampBytes = serializeMetadata(
    signMetadata(
      {
        ...timestamp.signed,
        version: timestamp.signed.version + 1,
        snapshot: {
          version: snapshotVersion,
          sha256: createHash('sha256').update(snapshotBytes).digest('hex'),
          length: snapshotBytes.byteLength,
        },
      },
      marketplace.timestamp,
    ),
  );
  return [
    ...files,
    { path: formatSnapshotPath(snapshotVersion), bytes: snapshotBytes },
    { path: TIMESTAMP_PATH, bytes: timestampBytes },
  ];
}
