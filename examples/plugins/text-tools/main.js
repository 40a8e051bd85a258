/**
 * The seed's function-based plugin: instead of a `Plugin` class, the entry module exports a
 * `createPlugin(metadata, config)` factory (it may be async) that returns the instance.
 * @param {{ name: string }} metadata
 * @param {Record<string, unknown>} config
 */
export async function createPlugin(metadata, config) {
  return {
    metadata,
    config,
    /** @param {{ data: string }} params */
    process(params) {
      return params.data.toUpperCase();
    },
    /** @param {{ text: string }} params */
    countWords(params) {
      const words = params.text.trim().split(/\s+/u);
      return words[0] === '' ? 0 : words.length;
    },
    /** @param {{ text: string }} params */
    slugify(params) {
      return params.text
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/gu, '-')
        .replace(/^-+|-+$/gu, '');
    },
  };
}
