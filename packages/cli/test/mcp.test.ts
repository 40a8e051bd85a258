import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runAgentplug, runProcess, TSX_LOADER_URL } from './run-agentplug';
import { writePlugin } from './write-plugin';

let workspace: string;

/** A plugin whose one tool tells where it runs: its process id and whether Node's permission model binds it. */
const WHERE_PLUGIN = `export function createPlugin() {
  return {
    greet: () => JSON.stringify({
      pid: process.pid,
      permissionModel: typeof process.permission === 'object' && process.permission.has('fs.read', '/etc/hostname') === false,
    }),
  };
}
`;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-mcp-'));
  await writePlugin(join(workspace, 'plugins'), { pluginId: 'com.example.greeter', version: '1.0.0' });
  await writePlugin(join(workspace, 'where'), {
    pluginId: 'com.example.where',
    version: '1.0.0',
    code: WHERE_PLUGIN,
  });
});

/** Starts an MCP server command as a subprocess, calls the where plugin's tool once, and returns what it said beside the server's pid. */
async function whereTheToolRuns(
  entry: string[],
  isolation: string,
): Promise<{ serverPid: number | null; plugin: { pid: number; permissionModel: boolean } }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--conditions=@agentplug/source',
      `--import=${TSX_LOADER_URL}`,
      ...entry,
      '--plugins',
      join(workspace, 'where'),
      '--isolation',
      isolation,
    ],
    stderr: 'pipe',
  });
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'com_example_where__greet', arguments: { name: 'Ada' } });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const [content] = result.content as { type: string; text: string }[];
    return { serverPid: transport.pid, plugin: JSON.parse(content?.text ?? 'null') };
  } finally {
    await client.close();
  }
}

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('agentplug mcp', () => {
  test('serves a plugin directory to an MCP client over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--conditions=@agentplug/source',
        `--import=${TSX_LOADER_URL}`,
        join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts'),
        'mcp',
        '--plugins',
        join(workspace, 'plugins'),
      ],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['com_example_greeter__greet']);
      expect(tools[0]?.inputSchema).toMatchObject({ required: ['name'] });
      const result = await client.callTool({
        name: 'com_example_greeter__greet',
        arguments: { name: 'Ada' },
      });
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      const invalid = await client.callTool({ name: 'com_example_greeter__greet', arguments: {} });
      expect(invalid.isError).toBe(true);
      expect(JSON.stringify(invalid.content)).toContain('INVALID_PARAMS');
    } finally {
      await client.close();
    }
    // A subprocess that validates its plugins with babel: allow for a busy machine.
  }, 60_000);

  test('takes the same options as agentplug-mcp, and a missing plugin folder is one line with exit 2', async () => {
    const optionLines = (help: string) =>
      help
        .split('\n')
        .filter((line) => /^\s+-/.test(line))
        .map((line) => line.trim());
    const [main, standalone, missing] = await Promise.all([
      runAgentplug(['mcp', '--help']),
      runProcess(
        process.execPath,
        [
          '--conditions=@agentplug/source',
          `--import=${TSX_LOADER_URL}`,
          join(REPO_ROOT, 'packages', 'mcp', 'src', 'bin', 'agentplug-mcp.ts'),
          '--help',
        ],
        { cwd: REPO_ROOT },
      ),
      runAgentplug(['mcp', '--plugins', join(workspace, 'no-such-folder')]),
    ]);
    expect(main.exitCode).toBe(0);
    expect(optionLines(main.stdout)).toEqual(optionLines(standalone.stdout));
    expect(optionLines(main.stdout).join('\n')).toMatch(
      /--isolation[\s\S]*--max-risk[\s\S]*--no-validate[\s\S]*--watch/,
    );
    expect(main.stdout).toContain('$ agentplug mcp --plugins ./plugins');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: the plugin folder .*no-such-folder does not exist \[INVALID_ARGUMENT\]/),
    ]);
  }, 60_000);

  test("runs a plugin's tool in a process of its own under --isolation process, as agentplug-mcp does", async () => {
    const cli = [join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts'), 'mcp'];
    const standalone = [join(REPO_ROOT, 'packages', 'mcp', 'src', 'bin', 'agentplug-mcp.ts')];
    for (const entry of [cli, standalone]) {
      const inProcess = await whereTheToolRuns(entry, 'process');
      expect(inProcess.serverPid).toEqual(expect.any(Number));
      expect(inProcess.plugin.pid).not.toBe(inProcess.serverPid);
      expect(inProcess.plugin.permissionModel).toBe(true);
      // The worker tier, for contrast: the server's own process, no permission model.
      const inWorker = await whereTheToolRuns(entry, 'worker');
      expect(inWorker.plugin).toEqual({ pid: inWorker.serverPid, permissionModel: false });
    }
  }, 180_000);
});
