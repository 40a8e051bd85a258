// A signer command for tests: signs standard input with the ed25519 key of the keygen file named
// by argv[2], printing the signature in base64, as a command holding the key elsewhere would. The
// file named by argv[3] picks a behaviour: `sign`, `fail` (exit 3), `hang` (writes its pid to
// argv[4] and never answers) or `lie` (a signature of other bytes).
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [keyFile, modeFile, pidFile] = process.argv.slice(2);
const mode = modeFile === undefined ? 'sign' : readFileSync(modeFile, 'utf8').trim();
if (mode === 'fail') {
  process.stderr.write('the signing host refused\n');
  process.exit(3);
}
if (mode === 'hang') {
  if (pidFile !== undefined) writeFileSync(pidFile, String(process.pid));
  setInterval(() => undefined, 1000);
} else {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const pair = JSON.parse(readFileSync(keyFile, 'utf8'));
  const key = createPrivateKey({ key: Buffer.from(pair.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const bytes = mode === 'lie' ? Buffer.from('other bytes') : Buffer.concat(chunks);
  process.stdout.write(`${sign(null, bytes, key).toString('base64')}\n`);
}
