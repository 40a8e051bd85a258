/**
 * The seed's minimal plugin: a class the loader constructs with `new Plugin(metadata, config)`,
 * optional lifecycle hooks, and one capability method.
 */
export class Plugin {
  /**
   * @param {{ name: string }} metadata the parsed plugin.json
   * @param {{ greeting?: string }} config config.json's `config`, merged over the schema defaults
   */
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
    /** @type {string[]} the lifecycle hooks called so far, in order */
    this.hooksCalled = [];
  }

  async initialize() {
    this.hooksCalled.push('initialize');
  }

  async activate() {
    this.hooksCalled.push('activate');
  }

  async deactivate() {
    this.hooksCalled.push('deactivate');
  }

  async cleanup() {
    this.hooksCalled.push('cleanup');
  }

  /**
   * The `greet` capability. `invoke` passes the validated params object; a bare string works too,
   * so `await state.instance.greet('Ada')` reads like the seed.
   * @param {{ name: string } | string} params
   * @returns {string}
   */
  greet(params) {
    const name = typeof params === 'string' ? params : params.name;
    const greeting = this.config.greeting ?? 'Hello';
    return `${greeting}, ${name}!`;
  }
}
