import { PATTERNS } from './patterns.js';

/**
 * A middleware: the host passes each request (and response) through it; it returns the message
 * with e-mail addresses, card numbers and phone numbers masked, and counts what it masked.
 */
export class Plugin {
  /**
   * @param {{ name: string }} metadata
   * @param {{ mask?: string, kinds?: Array<'email' | 'phone' | 'card'> }} config
   */
  constructor(metadata, config) {
    this.metadata = metadata;
    this.mask = config.mask ?? '[redacted]';
    // Cards before phones: a card number also looks like a long phone number.
    const kinds = config.kinds ?? ['email', 'phone', 'card'];
    this.kinds = ['email', 'card', 'phone'].filter((kind) => kinds.includes(kind));
  }

  /**
   * @param {string} message
   * @returns {{ message: string, redactions: Record<string, number> }}
   */
  redact(message) {
    /** @type {Record<string, number>} */
    const redactions = {};
    let result = message;
    for (const kind of this.kinds) {
      result = result.replace(PATTERNS[kind], () => {
        redactions[kind] = (redactions[kind] ?? 0) + 1;
        return this.mask;
      });
    }
    return { message: result, redactions };
  }

  /** @param {{ message: string, metadata?: object }} params */
  processRequest(params) {
    return { ...this.redact(params.message), metadata: params.metadata ?? {} };
  }

  /** @param {{ message: string }} params */
  processResponse(params) {
    return this.redact(params.message);
  }
}
