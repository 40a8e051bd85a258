/**
 * An integration plugin: calls an HTTP weather service. It declares its one network host,
 * 127.0.0.1, so in a worker sandbox its requests there pass and any other host is refused.
 */
export class Plugin {
  /**
   * @param {{ name: string }} metadata
   * @param {{ base_url?: string, timeout_ms?: number }} config
   */
  constructor(metadata, config) {
    this.metadata = metadata;
    this.baseUrl = config.base_url ?? 'http://127.0.0.1:8787';
    this.timeoutMs = config.timeout_ms ?? 2000;
  }

  /**
   * @param {{ city: string }} params
   * @returns {Promise<{ city: string, summary: string, temperature_c: number, source: string }>}
   */
  async forecast(params) {
    const url = new URL('/forecast', this.baseUrl);
    url.searchParams.set('city', params.city);
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`The weather service answered ${response.status} for ${params.city}`);
    const body = await response.json();
    return { city: body.city, summary: body.summary, temperature_c: body.temperature_c, source: url.host };
  }
}
