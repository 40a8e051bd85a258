// A throwaway PostgreSQL server for tests: initdb into a temporary folder, started on a free port on
// 127.0.0.1, stopped and deleted by the test that started it. PostgreSQL refuses to run as root, so
// as root the server runs as the `postgres` OS user, which owns the folder.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A running throwaway cluster. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  adminUrl: string;
  port: number;
  /** Creates a new empty database and answers its connection string. */
  createDatabase(): Promise<string>;
  /** Drops a database made by createDatabase (closing its connections first). */
  dropDatabase(url: string): Promise<void>;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

function findBinaries(): string {
  const fromEnvironment = process.env.AGENTPLUG_POSTGRES_BIN;
  if (fromEnvironment !== undefined && existsSync(join(fromEnvironment, 'initdb'))) return fromEnvironment;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((left, right) => Number(right) - Number(left))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    // Never a silent skip: these tests need a real server, and .ci/run installs Debian's postgresql.
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql, or set AGENTPLUG_POSTGRES_BIN',
    );
  }
  return join(root, newest, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway PostgreSQL cluster (a few seconds). */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binaries = findBinaries();
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-postgres-'));
  const asRoot = process.getuid?.() === 0;
  const asOwner = (command: string, values: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(binaries, command), ...values])
      : run(join(binaries, command), values);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(folder, Number(stdout.trim()), Number(group.trim()));
  }
  const data = join(folder, 'data');
  await asOwner('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  let port = 0;
  // A free port can be taken between the probe and the start: try a few.
  for (let attempt = 0; ; attempt += 1) {
    port = await freePort();
    try {
      await asOwner('pg_ctl', [
        '-D',
        data,
        '-l',
        join(folder, 'server.log'),
        '-w',
        '-t',
        '120',
        '-o',
        `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
        'start',
      ]);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    adminUrl,
    port,
    async createDatabase() {
      counter += 1;
      const name = `agentplug_test_${process.pid}_${counter}`;
      await admin((client) => client.query(`create database ${name}`));
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async dropDatabase(url) {
      const name = new URL(url).pathname.slice(1);
      if (!/^agentplug_test_\d+_\d+$/.test(name)) throw new Error(`not a test database: ${name}`);
      await admin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
    async stop() {
      await asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
