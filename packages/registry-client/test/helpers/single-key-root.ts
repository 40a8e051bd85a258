import {
  createRootMetadata,
  type MetadataFile,
  MetadataRepository,
  type MetadataRepositoryOptions,
  type SigningKeyPair,
} from '../../src/protocol/index';

/** The root and repository of a marketplace that signs every role with one key. */
export interface SingleKeyMetadata {
  /** Root version 1, listing `keys` for root, targets, snapshot and timestamp, signed by it. */
  rootFile: MetadataFile;
  /** A repository that signs targets, snapshot and timestamp with `keys`. */
  repository: MetadataRepository;
}

/**
 * One key for every role, as `agentplug marketplace build` writes by default: the setup of test
 * marketplaces and benches that do not exercise key separation.
 */
export function createSingleKeyMetadata(
  keys: SigningKeyPair,
  options: {
    /** How long root version 1 stays valid (a day unless given). */
    rootLifetimeMs?: number;
    repository?: Omit<MetadataRepositoryOptions, 'signers'>;
  } = {},
): SingleKeyMetadata {
  const rootFile = createRootMetadata({
    version: 1,
    expires: new Date(Date.now() + (options.rootLifetimeMs ?? 86_400_000)),
    keys: {
      root: [keys.publicKey],
      targets: [keys.publicKey],
      snapshot: [keys.publicKey],
      timestamp: [keys.publicKey],
    },
    signers: [keys],
  }).file;
  const repository = MetadataRepository.create({
    ...options.repository,
    signers: { targets: [keys], snapshot: [keys], timestamp: [keys] },
  });
  return { rootFile, repository };
}
