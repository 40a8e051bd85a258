// 200 concurrent publishes of distinct plugins against one publish alone, with the server in a
// process of its own (bench/bench-server.ts): its CPU per publish is measured apart from the
// client's, and the CPU floor (what 200 publishes cost divided by the cores) is printed beside the
// p99, so a reader can tell queueing from work. BENCH_CPU_PROF=<folder> writes the server's profile.
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { startBenchServer } from './bench-server-process';

/** The figures of one run. */
export interface ConcurrentPublishFigures {
  singleMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (user + system) per publish during the 200. */
  serverCpuMsPerPublish: number;
  /** Server CPU of one publish alone (median of the singles). */
  singleCpuMs: number;
  /** 200 × server CPU per publish ÷ cores: the soonest the last publish could be answered. */
  cpuFloorMs: number;
  /** The server's event loop busy time per publish during the 200: one thread's share, which no core count divides. */
  loopBusyMsPerPublish: number;
  wallMs: number;
  /** The load client's CPU (this process: the requests, the answers) per publish during the 200. */
  clientCpuMsPerPublish: number;
  cores: number;
  /** Signing rounds (transactions) the 200 took, from the server's /metrics. */
  rounds: number;
}

// The publish rounds counted so far by the server's /metrics.
async function roundsSoFar(url: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(new URL('metrics', url))).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    count: value('agentplug_marketplace_publish_round_size_count'),
    sum: value('agentplug_marketplace_publish_round_size_sum'),
  };
}

// The load client's connections, kept alive between requests as fetch's are, but through
// node:http: a lighter client than fetch leaves more of the shared cores to the server measured.
const agent = new Agent({ keepAlive: true });

/** Publishes `archive` with `token` and resolves to the milliseconds until the 201 answer. */
export function publish(url: string, archive: Buffer, token: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      new URL('api/v1/plugins', url),
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-length': archive.length },
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          if (response.statusCode !== 201) reject(new Error(`publish answered ${response.statusCode}`));
          else resolve(performance.now() - start);
        });
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end(archive);
  });
}

/** Starts the bench server in `storeDirectory`, publishes singles then 200 at once, and stops it. */
export async function measureConcurrentPublishes(options: {
  storeDirectory: string;
  /** 206 archives of distinct plugins: one warm-up, five singles, then the 200. */
  archives: readonly Buffer[];
  /** The server's `inspectionWorkers`. */
  inspectionWorkers: number;
}): Promise<ConcurrentPublishFigures> {
  const token = 'bench-operator-token';
  const server = await startBenchServer({
    storeDirectory: options.storeDirectory,
    database: { engine: 'pglite' },
    signingKey: generateSigningKeyPair(),
    publishToken: token,
    writesPerMinutePerToken: 0,
    requestsPerMinutePerAddress: 0,
    // The load comes from one address: no cap on its connections.
    maxConnectionsPerAddress: 0,
    maxConcurrentUploads: 256,
    inspectionWorkers: options.inspectionWorkers,
  });
  try {
    const { url } = server;
    const [warmUp, ...rest] = options.archives;
    await publish(url, warmUp as Buffer, token);
    const singles: { wall: number; cpu: number }[] = [];
    for (const archive of rest.slice(0, 5)) {
      const before = await server.usage();
      const wall = await publish(url, archive, token);
      singles.push({ wall, cpu: (await server.usage()).cpuMs - before.cpuMs });
    }
    const middle = <T>(values: T[], by: (value: T) => number): number =>
      by(values.sort((left, right) => by(left) - by(right))[Math.floor(values.length / 2)] as T);
    const concurrent = rest.slice(5, 205);
    await server.profileStart();
    const roundsBefore = await roundsSoFar(url);
    const before = await server.usage();
    const clientBefore = process.cpuUsage();
    const start = performance.now();
    const times = (await Promise.all(concurrent.map((archive) => publish(url, archive, token)))).sort(
      (left, right) => left - right,
    );
    const wallMs = performance.now() - start;
    const client = process.cpuUsage(clientBefore);
    const after = await server.usage();
    const cpuMs = after.cpuMs - before.cpuMs;
    const roundsAfter = await roundsSoFar(url);
    if (roundsAfter.sum - roundsBefore.sum !== concurrent.length) {
      throw new Error(
        `the rounds listed ${roundsAfter.sum - roundsBefore.sum} publishes, not ${concurrent.length}`,
      );
    }
    await server.profileStop('200 concurrent publishes');
    const cores = availableParallelism();
    const perPublish = cpuMs / concurrent.length;
    return {
      singleMs: middle(singles, (single) => single.wall),
      singleCpuMs: middle(singles, (single) => single.cpu),
      p50Ms: times[Math.floor(times.length / 2)] ?? 0,
      p99Ms: times[Math.ceil(times.length * 0.99) - 1] ?? 0,
      serverCpuMsPerPublish: perPublish,
      cpuFloorMs: (concurrent.length * perPublish) / cores,
      loopBusyMsPerPublish: (after.loopBusyMs - before.loopBusyMs) / concurrent.length,
      wallMs,
      clientCpuMsPerPublish: (client.user + client.system) / 1000 / concurrent.length,
      cores,
      rounds: roundsAfter.count - roundsBefore.count,
    };
  } finally {
    await server.close();
  }
}
