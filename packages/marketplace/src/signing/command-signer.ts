import { spawn } from 'node:child_process';
import { PluginError } from '@agentplug/models';
import { type MarketplaceSigner, readSignerPublicKey } from './marketplace-signer';

/** Options of {@link createCommandSigner}. */
export interface CommandSignerOptions {
  /**
   * A shell command (run with `/bin/sh -c`) that reads the bytes to sign on standard input and
   * prints the ed25519 signature in base64 on standard output, exiting 0.
   */
  command: string;
  /** The public key of the key the command signs with (base64 SPKI DER or PEM): every answer is checked against it. */
  publicKey: string;
  /** Longest wait for one signature; the command's process group is then killed. Default 10 s. */
  timeoutMs?: number;
}

/** The most a signer command may print: a signature is 88 characters. */
const MAX_OUTPUT_BYTES = 4096;

/**
 * A signer that runs a command per signature, so the private key can live elsewhere (an HSM, a
 * KMS, a signing host): the serving machine never holds it. Each answer is verified against the
 * given public key before it is used; a command that fails, hangs or lies signs nothing.
 * @throws PluginError INVALID_ARGUMENT (an empty command, not an ed25519 public key)
 * @example
 * const signer = createCommandSigner({ command: 'ssh signer@vault sign-index', publicKey });
 */
export function createCommandSigner(options: CommandSignerOptions): MarketplaceSigner {
  if (options.command.trim() === '') {
    throw new PluginError('INVALID_ARGUMENT', 'the signer command is empty');
  }
  const key = readSignerPublicKey(options.publicKey);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const description = `command ${JSON.stringify(options.command)}`;
  const failed = (message: string, details: Record<string, unknown>): PluginError =>
    new PluginError('UNAVAILABLE', `the signer ${description} ${message}; nothing was signed`, {
      details: { signer: options.command, ...details },
    });

  const run = (bytes: Uint8Array): Promise<string> =>
    new Promise((resolve, reject) => {
      // Its own process group, so a timeout kills whatever the shell started too.
      const child = spawn(options.command, {
        shell: '/bin/sh',
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      let errorOutput = '';
      let settled = false;
      const finish = (error: PluginError | undefined, value?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        if (error === undefined) resolve(value ?? '');
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(failed(`did not answer within ${timeoutMs} ms`, { timeoutMs })),
        timeoutMs,
      );
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.length > MAX_OUTPUT_BYTES) {
          finish(failed(`printed more than ${MAX_OUTPUT_BYTES} bytes`, { maxOutputBytes: MAX_OUTPUT_BYTES }));
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (errorOutput.length < MAX_OUTPUT_BYTES) errorOutput += chunk;
      });
      child.on('error', (error) => finish(failed(`cannot be started (${error.message})`, {})));
      child.on('close', (code, signal) => {
        if (code === 0) {
          finish(undefined, output.trim());
          return;
        }
        const said = errorOutput.trim().split('\n')[0]?.slice(0, 200) ?? '';
        finish(
          failed(
            signal === null
              ? `exited with code ${code}${said === '' ? '' : `: ${said}`}`
              : `was killed by ${signal}`,
            { exitCode: code, signal },
          ),
        );
      });
      // A command that exits without reading its input must not crash the server (EPIPE).
      child.stdin.on('error', () => undefined);
      child.stdin.end(Buffer.from(bytes));
    });

  return {
    keyId: key.keyId,
    publicKey: key.publicKey,
    description,
    async sign(bytes) {
      const signature = await run(bytes);
      if (!key.verifies(bytes, signature)) {
        throw new PluginError(
          'SIGNATURE_INVALID',
          `the signer ${description} answered something that is not an ed25519 signature of the bytes by key ${key.keyId}; nothing was signed`,
          { details: { keyId: key.keyId, signer: options.command } },
        );
      }
      return signature;
    },
  };
}
