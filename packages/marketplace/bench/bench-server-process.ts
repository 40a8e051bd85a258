// The parent's side of bench/bench-server.ts: starts it, asks for its CPU and profile, stops it.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchServerOptions } from './bench-server';

type Message = {
  url?: string;
  cpuMs?: number;
  loopBusyMs?: number;
  profiling?: boolean;
  profile?: string;
};

/** A bench server running in a child process. */
export interface BenchServerProcess {
  url: string;
  /** The server process's CPU (user + system) and its event loop's busy time so far, in ms. */
  usage(): Promise<{ cpuMs: number; loopBusyMs: number }>;
  /** Starts profiling the server's CPU (BENCH_CPU_PROF=<folder> turns profiles on). */
  profileStart(): Promise<void>;
  /** Writes the profile into the BENCH_CPU_PROF folder and prints its path. */
  profileStop(label: string): Promise<void>;
  close(): Promise<void>;
}

function next(child: ChildProcess, key: keyof Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message): void => {
      if (message[key] === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null): void => reject(new Error(`the bench server exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Starts a bench server with `options` in a child process of its own. */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServerProcess> {
  const profileFolder = process.env.BENCH_CPU_PROF;
  const child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@agentplug/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = next(child, 'url');
  child.send({ start: options });
  const { url = '' } = await started;
  return {
    url,
    async usage() {
      const answer = next(child, 'cpuMs');
      child.send('cpu');
      const { cpuMs = 0, loopBusyMs = 0 } = await answer;
      return { cpuMs, loopBusyMs };
    },
    async profileStart() {
      if (profileFolder === undefined) return;
      const answer = next(child, 'profiling');
      child.send('profile-start');
      await answer;
    },
    async profileStop(label) {
      if (profileFolder === undefined) return;
      const answer = next(child, 'profile');
      child.send({ profileStop: profileFolder });
      console.error(`${label}: server profile ${(await answer).profile}`);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}
