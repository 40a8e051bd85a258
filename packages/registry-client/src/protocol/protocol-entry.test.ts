import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as protocol from './index';

const PROTOCOL_FOLDER = new URL('.', import.meta.url).pathname;
/** What the wire format may depend on: no validator (babel), no archive or install code. */
const ALLOWED_PACKAGES: ReadonlySet<string> = new Set(['@agentplug/models', '@agentplug/version']);

async function listImports(): Promise<{ file: string; specifier: string }[]> {
  const imports: { file: string; specifier: string }[] = [];
  for (const file of await readdir(PROTOCOL_FOLDER)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const source = await readFile(join(PROTOCOL_FOLDER, file), 'utf8');
    for (const match of source.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)) {
      imports.push({ file, specifier: match[1] as string });
    }
  }
  return imports;
}

describe('the @agentplug/registry-client/protocol entry', () => {
  it('imports only sibling protocol files, node built-ins, models and version', async () => {
    const imports = await listImports();
    expect(imports.length).toBeGreaterThan(10);
    const outside = imports.filter(
      ({ specifier }) =>
        !(
          (specifier.startsWith('./') && !specifier.slice(2).includes('/')) ||
          specifier.startsWith('node:') ||
          ALLOWED_PACKAGES.has(specifier)
        ),
    );
    expect(outside).toEqual([]);
  });

  it('offers what a server needs to sign and a client needs to verify', () => {
    const keys = protocol.generateSigningKeyPair();
    const now = new Date();
    const root = protocol.createRootMetadata({
      version: 1,
      expires: new Date(now.getTime() + 86_400_000),
      keys: {
        root: [keys.publicKey],
        targets: [keys.publicKey],
        snapshot: [keys.publicKey],
        timestamp: [keys.publicKey],
      },
      signers: [keys],
    });
    const repository = protocol.MetadataRepository.create({
      signers: { targets: [keys], snapshot: [keys], timestamp: [keys] },
      searchEndpoint: protocol.SEARCH_PATH,
    });
    const files = new Map(repository.commit(now).map((file) => [file.path, file.bytes]));
    const trusted = protocol.verifyPinnedRoot(root.file.bytes, [keys.publicKey]);
    const timestamp = protocol.verifyTimestamp(files.get(protocol.TIMESTAMP_PATH) as Uint8Array, {
      root: trusted,
      now,
      previous: undefined,
    });
    const snapshotPath = protocol.formatSnapshotPath(timestamp.body.snapshot.version);
    const snapshot = protocol.verifySnapshot(files.get(snapshotPath) as Uint8Array, {
      root: trusted,
      timestamp: timestamp.body,
      now,
    });
    expect(snapshot.search_endpoint).toBe('api/v1/search');
    expect(protocol.formatArchiveName('com.example.a', '1.0.0')).toBe('com.example.a-1.0.0.tgz');
    expect([root.file.path, protocol.ARCHIVES_PATH, protocol.PLUGINS_PATH]).toEqual([
      'v2/root/1.json',
      'archives',
      'api/v1/plugins',
    ]);
  });
});
