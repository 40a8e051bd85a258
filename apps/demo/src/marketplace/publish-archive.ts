import type { PublishResult } from '@agentplug/marketplace';
import { PluginError, type PluginErrorCode } from '@agentplug/models';

/**
 * Publishes a packed plugin to a marketplace server over HTTP, the way `agentplug publish` does:
 * `POST /api/v1/plugins` with the publish token.
 * @throws PluginError with the server's code (UNAUTHORIZED, VALIDATION_FAILED, ...) when it refuses
 */
export async function publishArchive(
  marketplaceUrl: string,
  token: string,
  archive: Buffer,
): Promise<PublishResult> {
  const response = await fetch(new URL('api/v1/plugins', marketplaceUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' },
    body: archive,
  });
  const body = (await response.json()) as
    | PublishResult
    | { error: { code: PluginErrorCode; message: string } };
  if ('error' in body) throw new PluginError(body.error.code, body.error.message);
  return body;
}

/** Rates a plugin (1 to 5) on a marketplace server: `POST /api/v1/plugins/<id>/ratings`. */
export async function ratePlugin(marketplaceUrl: string, pluginId: string, rating: number): Promise<void> {
  const response = await fetch(
    new URL(`api/v1/plugins/${encodeURIComponent(pluginId)}/ratings`, marketplaceUrl),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rating }),
    },
  );
  if (!response.ok) throw new Error(`rating ${pluginId} failed with HTTP ${response.status}`);
  await response.body?.cancel();
}
