/**
 * Rates a plugin (1 to 5) on a marketplace server, as a user would: `POST /api/v1/plugins/<id>/ratings`.
 * @throws Error when the server refuses the rating
 */
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
