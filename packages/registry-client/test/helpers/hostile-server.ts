import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route handler of the test server; return false to fall through to a 404. */
export type TestRoute = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

/** A small HTTP server on 127.0.0.1 whose behaviour each test sets: the hostile marketplace. */
export interface TestServer {
  url: string;
  /** Requests seen, by path. */
  requests: string[];
  setRoute(route: TestRoute): void;
  close(): Promise<void>;
}

/** Starts a test server on 127.0.0.1, port 0. */
export async function startTestServer(route: TestRoute): Promise<TestServer> {
  let current = route;
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    Promise.resolve(current(request, response))
      .then((handled) => {
        if (!handled) {
          response.writeHead(404);
          response.end();
        }
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    setRoute(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers with bytes and a correct content-length. */
export function sendBytes(
  response: ServerResponse,
  bytes: Buffer | string,
  type = 'application/octet-stream',
): true {
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(bytes) });
  response.end(bytes);
  return true;
}

/** Answers 200 and writes `chunk` forever, as fast as the client reads: an endless body. */
export function sendEndlessBody(response: ServerResponse, type: string, chunk: Buffer): true {
  response.writeHead(200, { 'content-type': type });
  const write = (): void => {
    while (!response.destroyed && response.write(chunk)) {
      /* keep writing until backpressure */
    }
    if (!response.destroyed) response.once('drain', write);
  };
  write();
  return true;
}
