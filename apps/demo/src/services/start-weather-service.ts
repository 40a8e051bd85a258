import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the weather service received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  body: string;
}

/** A running local weather service, for the integration example and the undeclared-host example. */
export interface WeatherService {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in order: the demo shows what reached it and what never did. */
  received: ReceivedRequest[];
  /** Stops the service; calling it again is harmless. */
  close(): Promise<void>;
}

const FORECASTS: Record<string, { summary: string; temperature_c: number }> = {
  lisbon: { summary: 'sunny', temperature_c: 24 },
  oslo: { summary: 'light snow', temperature_c: -3 },
  nairobi: { summary: 'scattered showers', temperature_c: 19 },
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a tiny HTTP weather service on 127.0.0.1 (a free port): `GET /forecast?city=` answers
 * with a canned forecast; every request, whatever its path, is recorded in `received`.
 */
export async function startWeatherService(): Promise<WeatherService> {
  const received: ReceivedRequest[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    received.push({ method: request.method ?? 'GET', path: url.pathname, body: await readBody(request) });
    const city = url.searchParams.get('city') ?? '';
    const forecast = FORECASTS[city.toLowerCase()];
    if (url.pathname !== '/forecast' || !forecast) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `no forecast for "${city}"` }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ city, ...forecast }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      return closing;
    },
  };
}
