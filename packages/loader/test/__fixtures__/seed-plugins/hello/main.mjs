// The seed's minimal plugin, as an ES module with a default-exported class.
export default class HelloPlugin {
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
  }
  async initialize() {}
  async activate() {}
  async deactivate() {}
  async cleanup() {}
  async greet(params) {
    const precision = this.config.precision ?? 10;
    return `Hello, ${params.name}! (precision: ${precision})`;
  }
}
