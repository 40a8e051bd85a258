/** Why a file looks like it holds a credential. */
export interface SecretMatch {
  /** What was recognised, for the one-line error: "a private key", "an AWS access key id", ... */
  readonly kind: string;
  /** 1-based line of the first match. */
  readonly line: number;
}

interface SecretPattern {
  kind: string;
  pattern: RegExp;
}

/**
 * Formats of credentials that are unambiguous by their shape (prefixes issued by the provider,
 * PEM armour), so ordinary code and data do not trip them.
 */
const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/ },
  { kind: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { kind: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { kind: 'an Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  {
    kind: 'an OpenAI API key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/,
  },
  { kind: 'an OpenAI API key', pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}/ },
  { kind: 'a Stripe secret key', pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}\b/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'a registry auth token', pattern: /:_authToken\s*=\s*[^\s$]{8,}/ },
  { kind: 'a Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{34,}\b/ },
  { kind: 'a SendGrid API key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
];

/** Files larger than this are scanned in their first bytes only: credentials files are small. */
const SCANNED_BYTES = 4 * 1024 * 1024;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let position = text.indexOf('\n'); position !== -1 && position < index; ) {
    line += 1;
    position = text.indexOf('\n', position + 1);
  }
  return line;
}

/**
 * Looks for credentials in a file's bytes: private keys and the token formats of common
 * providers. Binary files (a NUL byte in the first 8 KB) are not scanned.
 * @example
 * scanForSecrets(Buffer.from('OPENAI_API_KEY=sk-proj-...')) // { kind: 'an OpenAI API key', line: 1 }
 */
export function scanForSecrets(data: Uint8Array): SecretMatch | undefined {
  const head = data.subarray(0, 8192);
  if (head.includes(0)) return undefined;
  const text = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, SCANNED_BYTES)).toString(
    'latin1',
  );
  for (const { kind, pattern } of SECRET_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { kind, line: lineOf(text, match.index) };
  }
  return undefined;
}
