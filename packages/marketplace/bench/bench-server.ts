// A marketplace server in a process of its own, for the benches: the load client's CPU is not
// counted with the server's, and each gets a core. It takes its options as its first IPC message
// (the signing key too, which no argument should carry), answers its URL, its own CPU use when
// asked, profiles its CPU between `profile-start` and `profile-stop` (written into the folder
// named), and stops when told.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { createMarketplaceServer, type MarketplaceServerOptions } from '../src/index';

/** What the bench server is started with: server options a message can carry (no functions). */
export type BenchServerOptions = Pick<
  MarketplaceServerOptions,
  | 'storeDirectory'
  | 'database'
  | 'signingKey'
  | 'publishToken'
  | 'writesPerMinutePerToken'
  | 'requestsPerMinutePerAddress'
  | 'maxConnectionsPerAddress'
  | 'maxConcurrentUploads'
  | 'statsResignDelayMs'
  | 'inspectionWorkers'
>;

const session = new Session();
let profiles = 0;
let stop = async (): Promise<void> => undefined;

process.on('message', (message: unknown) => {
  if (typeof message === 'object' && message !== null && 'start' in message) {
    const options = (message as { start: BenchServerOptions }).start;
    void createMarketplaceServer({ ...options, validator: false }).then((server) => {
      stop = () => server.close();
      process.send?.({ url: server.url });
    });
  } else if (message === 'profile-start') {
    session.connect();
    void session
      .post('Profiler.enable')
      .then(() => session.post('Profiler.start'))
      .then(() => process.send?.({ profiling: true }));
  } else if (typeof message === 'object' && message !== null && 'profileStop' in message) {
    const folder = String((message as { profileStop: unknown }).profileStop);
    void session.post('Profiler.stop').then(async ({ profile }) => {
      profiles += 1;
      const path = join(folder, `bench-server-${process.pid}-${profiles}.cpuprofile`);
      await writeFile(path, JSON.stringify(profile));
      session.disconnect();
      process.send?.({ profile: path });
    });
  } else if (message === 'cpu') {
    const used = process.cpuUsage();
    // The event loop's busy time: one thread's share (JS, PGlite's WebAssembly), apart from the thread pool.
    process.send?.({
      cpuMs: (used.user + used.system) / 1000,
      loopBusyMs: performance.eventLoopUtilization().active,
    });
  } else if (message === 'close') {
    void stop().then(() => process.exit(0));
  }
});
