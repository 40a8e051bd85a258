import type { Server } from 'node:http';
import { clientKeyOf } from './client-key';

/**
 * Caps the connections one client (see {@link clientKeyOf}) may hold open at once: past the cap a
 * new connection is closed as it arrives. Without it one client opening idle or slow connections
 * (slowloris) holds every file descriptor the process may open, and the server stops answering
 * everyone and cannot open its own files. Returns how many connections were refused so far.
 */
export function limitConnectionsPerClient(server: Server, maxPerClient: number): () => number {
  const open = new Map<string, number>();
  let refused = 0;
  server.on('connection', (socket) => {
    const key = clientKeyOf(socket.remoteAddress);
    const count = (open.get(key) ?? 0) + 1;
    if (count > maxPerClient) {
      refused += 1;
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
  return () => refused;
}
