'use strict';
// A CommonJS plugin with a dotted entry point ("calculator.main" → calculator/main.js).
const { evaluate } = require('./evaluate.js');

class Plugin {
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
    this.events = [];
  }
  async initialize() { this.events.push('initialize'); }
  async activate() { this.events.push('activate'); }
  async deactivate() { this.events.push('deactivate'); }
  async cleanup() { this.events.push('cleanup'); }
  async arithmetic(params) {
    const value = evaluate(params.expression);
    return { value, precision: this.config.precision };
  }
}

module.exports = { Plugin };
