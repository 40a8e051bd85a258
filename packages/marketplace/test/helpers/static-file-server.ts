import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

// What a static host sends for the catalog's files; a folder's path serves its index.html, as hosts do.
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};

/** A dumb static file host on 127.0.0.1 (what a CDN would be), for the static layout. */
export async function startStaticFileServer(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    if (path.includes('..')) {
      response.writeHead(400);
      response.end();
      return;
    }
    const file = path.endsWith('/') ? `${path}index.html` : path;
    readFile(join(root, file)).then(
      (bytes) => {
        const type = TYPES[extname(file)];
        response.writeHead(200, {
          'content-length': bytes.length,
          ...(type ? { 'content-type': type } : {}),
        });
        response.end(bytes);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
