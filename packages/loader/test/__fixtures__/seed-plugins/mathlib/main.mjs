// A factory export (may be async).
export async function createPlugin(metadata) {
  return { name: metadata.name, square: async (params) => params.value * params.value };
}
