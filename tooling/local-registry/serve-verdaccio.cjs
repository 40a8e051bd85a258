// Runs Verdaccio from a config file on 127.0.0.1, port 0, and prints one JSON line with its URL.
// A separate process, so the registry's logger, timers and sockets never live in a test's process.
'use strict';
const { runServer } = require('verdaccio');

async function main() {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: serve-verdaccio.cjs <config.yaml>');
  const server = await runServer(configPath);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
  });
  // The parent ends the registry by closing this process's standard input (or by a signal).
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
