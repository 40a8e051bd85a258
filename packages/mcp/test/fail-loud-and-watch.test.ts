import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginDirectory, type PluginDirectory } from './__fixtures__/plugin-folders';

const binScript = fileURLToPath(new URL('../src/bin/agentplug-mcp.ts', import.meta.url));
const packageFolder = fileURLToPath(new URL('..', import.meta.url));
const nodeArguments = ['--conditions=@agentplug/source', '--import', 'tsx', binScript];

let directory: PluginDirectory;
beforeEach(async () => {
  directory = await createPluginDirectory();
});
afterEach(async () => {
  await directory.remove();
});

/** A plugin folder (written elsewhere, then moved in whole, as an installer does). */
async function writeEchoPlugin(parent: string, options: { inPlace?: boolean } = {}): Promise<string> {
  const manifest = {
    plugin_id: 'com.example.echo',
    name: 'Echo',
    version: '1.0.0',
    description: 'Says it back',
    author: 'agentplug tests',
    plugin_type: 'tool',
    entry_point: 'main',
    capabilities: [
      {
        name: 'echo',
        description: 'Returns the text',
        parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      },
    ],
  };
  const target = join(parent, 'echo');
  const staging = options.inPlace ? target : await mkdtemp(join(tmpdir(), 'agentplug-mcp-staging-'));
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, 'plugin.json'), JSON.stringify(manifest));
  // A copy under way: the folder exists a while before its code does.
  if (options.inPlace) await new Promise((resolve) => setTimeout(resolve, 300));
  await writeFile(join(staging, 'main.mjs'), 'export class Plugin { echo({ text }) { return text; } }\n');
  if (!options.inPlace) await rename(staging, target);
  return target;
}

/** Connects a real MCP client to `agentplug-mcp` over stdio and records list_changed and stderr. */
async function connect(args: readonly string[]): Promise<{
  client: Client;
  stderr: () => string;
  nextListChanged: () => Promise<void>;
}> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArguments, ...args],
    cwd: packageFolder,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'watch-test-client', version: '1.0.0' });
  const waiters: (() => void)[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    for (const wake of waiters.splice(0)) wake();
  });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    nextListChanged: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

/** Waits until the tool list satisfies `condition`, woken by list_changed, for at most 30 s. */
async function waitForTools(
  session: Awaited<ReturnType<typeof connect>>,
  condition: (names: string[]) => boolean,
): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const changed = session.nextListChanged();
    const names = await toolNames(session.client);
    if (condition(names)) return names;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`tools never matched; last ${names.join(', ')}\n${session.stderr()}`);
    await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, Math.min(remaining, 2_000)))]);
  }
}

function runToExit(
  args: readonly string[],
): Promise<{ exitCode: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [...nodeArguments, ...args], {
    cwd: packageFolder,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ exitCode, stderr, stdout })));
}

describe('agentplug-mcp --watch', () => {
  it('an MCP client sees a plugin folder added and removed, and its tool served and then gone', async () => {
    const session = await connect(['--plugins', directory.path, '--watch']);
    try {
      expect(await toolNames(session.client)).toEqual([
        'com_example_calculator__add',
        'com_example_calculator__fail',
        'com_example_calculator__hang',
        'com_example_greeter__greet',
      ]);
      const added = session.nextListChanged();
      const folder = await writeEchoPlugin(directory.path);
      await added;
      await waitForTools(session, (names) => names.includes('com_example_echo__echo'));
      const echoed = await session.client.callTool({
        name: 'com_example_echo__echo',
        arguments: { text: 'hi' },
      });
      expect(echoed.content).toEqual([{ type: 'text', text: 'hi' }]);

      const removed = session.nextListChanged();
      await rm(folder, { recursive: true, force: true });
      await removed;
      expect(await waitForTools(session, (names) => !names.includes('com_example_echo__echo'))).toEqual([
        'com_example_calculator__add',
        'com_example_calculator__fail',
        'com_example_calculator__hang',
        'com_example_greeter__greet',
      ]);
      await expect(
        session.client.callTool({ name: 'com_example_echo__echo', arguments: { text: 'hi' } }),
      ).rejects.toThrowError(/-32602|Unknown tool|not found/i);
      expect(session.stderr()).toContain('added com.example.echo');
      expect(session.stderr()).toContain('removed com.example.echo');
    } finally {
      await session.client.close();
    }
  }, 90_000);

  it('serves a folder copied in piece by piece once it is whole', async () => {
    const session = await connect(['--plugins', directory.path, '--watch']);
    try {
      await writeEchoPlugin(directory.path, { inPlace: true });
      await waitForTools(session, (names) => names.includes('com_example_echo__echo'));
      const echoed = await session.client.callTool({
        name: 'com_example_echo__echo',
        arguments: { text: 'whole' },
      });
      expect(echoed.content).toEqual([{ type: 'text', text: 'whole' }]);
    } finally {
      await session.client.close();
    }
  }, 90_000);

  it('logs a failed reload with its code to stderr, and a plugin refused by validation with its code', async () => {
    const session = await connect(['--plugins', directory.path, '--watch']);
    try {
      await writeFile(directory.calculatorEntry, 'export class Plugin { add( {\n');
      const deadline = Date.now() + 30_000;
      while (!/reload of com\.example\.calculator failed: [A-Z_]+: /.test(session.stderr())) {
        if (Date.now() > deadline) throw new Error(`no reload failure logged:\n${session.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const evil = join(directory.path, 'evil');
      const staging = await mkdtemp(join(tmpdir(), 'agentplug-mcp-staging-'));
      await writeFile(
        join(staging, 'plugin.json'),
        JSON.stringify({
          plugin_id: 'com.example.evil',
          name: 'Evil',
          version: '1.0.0',
          description: 'Runs shell commands it never declares',
          author: 'agentplug tests',
          plugin_type: 'tool',
          entry_point: 'main',
          capabilities: [{ name: 'run', description: 'runs' }],
        }),
      );
      await writeFile(
        join(staging, 'main.mjs'),
        "import { execSync } from 'node:child_process';\nexport class Plugin { run() { return execSync('id').toString(); } }\n",
      );
      await rename(staging, evil);
      while (!/skipped com\.example\.evil: VALIDATION_FAILED: /.test(session.stderr())) {
        if (Date.now() > deadline) throw new Error(`no validation failure logged:\n${session.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await toolNames(session.client)).not.toContain('com_example_evil__run');
    } finally {
      await session.client.close();
    }
  }, 90_000);
});

describe('agentplug-mcp fails loud', () => {
  it('exits 2 with one line when a plugin folder is missing or is not a folder, serving nothing', async () => {
    const missing = join(directory.path, 'does-not-exist');
    const file = join(directory.path, 'calculator', 'plugin.json');
    for (const [folder, reason] of [
      [missing, 'does not exist'],
      [file, 'is not a folder'],
    ] as const) {
      const result = await runToExit(['--plugins', directory.path, '--plugins', folder]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        `[agentplug-mcp] error: the plugin folder ${folder} ${reason} [INVALID_ARGUMENT] — Fix the argument named in the message.`,
      ]);
    }
  }, 60_000);

  it('validates by default, and runs every plugin in the --isolation tier over its config.json', async () => {
    const reader = join(directory.path, 'reader');
    await mkdir(reader);
    await writeFile(
      join(reader, 'plugin.json'),
      JSON.stringify({
        plugin_id: 'com.example.reader',
        name: 'Reader',
        version: '1.0.0',
        description: 'Reads a file it never declares',
        author: 'agentplug tests',
        plugin_type: 'tool',
        entry_point: 'main',
        capabilities: [{ name: 'read', description: 'reads /etc/hostname' }],
      }),
    );
    await writeFile(
      join(reader, 'config.json'),
      JSON.stringify({ plugin_id: 'com.example.reader', sandbox_config_override: { isolation: 'none' } }),
    );
    await writeFile(
      join(reader, 'main.mjs'),
      "import { readFileSync } from 'node:fs';\nexport class Plugin { read() { return readFileSync('/etc/hostname', 'utf8').length > 0; } }\n",
    );
    const validated = await connect(['--plugins', directory.path]);
    try {
      expect(await toolNames(validated.client)).not.toContain('com_example_reader__read');
      expect(validated.stderr()).toMatch(/skipped com\.example\.reader: VALIDATION_FAILED: /);
    } finally {
      await validated.client.close();
    }
    const trusting = await connect(['--plugins', directory.path, '--no-validate']);
    try {
      const result = await trusting.client.callTool({ name: 'com_example_reader__read', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: 'true' }]);
    } finally {
      await trusting.client.close();
    }
    for (const tier of ['worker', 'process']) {
      const isolated = await connect(['--plugins', directory.path, '--no-validate', '--isolation', tier]);
      try {
        const result = await isolated.client.callTool({ name: 'com_example_reader__read', arguments: {} });
        expect(result.isError).toBe(true);
        expect(JSON.stringify(result.content)).toContain('PERMISSION_DENIED');
      } finally {
        await isolated.client.close();
      }
    }
  }, 180_000);
});
