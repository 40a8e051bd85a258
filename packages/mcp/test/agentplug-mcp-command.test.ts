import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMcpCommand } from '../src/command/index';
import { createPluginDirectory, type PluginDirectory } from './__fixtures__/plugin-folders';

const binScript = fileURLToPath(new URL('../src/bin/agentplug-mcp.ts', import.meta.url));

let directory: PluginDirectory;

beforeEach(async () => {
  directory = await createPluginDirectory();
});

afterEach(async () => {
  await directory.remove();
});

describe('agentplug-mcp', () => {
  it('serves a plugin directory over stdio, filtered, and exits when stdin closes', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--conditions=@agentplug/source',
        '--import',
        'tsx',
        binScript,
        '--plugins',
        directory.path,
        '--exclude-capability',
        'hang',
        '--exclude-plugin',
        'com.example.greet*',
      ],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'bin-test-client', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'com_example_calculator__add',
      'com_example_calculator__fail',
    ]);
    const result = await client.callTool({ name: 'com_example_calculator__add', arguments: { a: 40, b: 2 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
    await client.close();
    expect(stderr).toContain('serving 2 plugin(s): com.example.calculator, com.example.greeter');
    expect(stderr).toContain('stopped: standard input closed');
  });

  it('serves Streamable HTTP with --http until stopped', async () => {
    const messages: string[] = [];
    const controller = new AbortController();
    let announce: (url: string) => void = () => undefined;
    const announced = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const running = runMcpCommand(
      ['--plugins', directory.path, '--http', '--include-plugin', 'com.example.greeter'],
      {
        signal: controller.signal,
        log: (message: string) => {
          messages.push(message);
          const match = /^MCP endpoint: (.+)$/.exec(message);
          if (match?.[1]) announce(match[1]);
        },
      },
    );
    const url = await announced;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: 'bin-test-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['com_example_greeter__greet']);
    await client.close();
    controller.abort();
    await expect(running).resolves.toBe(0);
  });

  it('refuses to start without --plugins, with unknown flags or bad values: one line each, exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^error: required option '--plugins <dir\.\.\.>' not specified — run "agentplug-mcp --help"/],
      [['--plugins', directory.path, '--frobnicate'], /^error: unknown option '--frobnicate'/],
      [
        ['--plugins', directory.path, '--pluginz'],
        /^error: unknown option '--pluginz' \(Did you mean --plugins\?\)/,
      ],
      [
        ['--plugins', directory.path, '--http', '--port', 'eighty'],
        /^error: --port must be a port number from 0 to 65535, not "eighty" \[INVALID_ARGUMENT\]/,
      ],
      [
        ['--plugins', directory.path, '--port', '3333'],
        /^error: --host and --port choose where --http listens/,
      ],
      [['--plugins', directory.path, '--isolation', 'vm'], /^error: --isolation must be one of none, worker/],
      [
        ['--plugins', directory.path, '--max-risk', 'severe'],
        /^error: --max-risk must be one of low, medium, high, critical/,
      ],
      [
        ['--plugins', directory.path, '--timeout-ms', '0'],
        /^error: --timeout-ms must be a whole number of milliseconds above 0/,
      ],
    ];
    for (const [argv, expected] of cases) {
      const messages: string[] = [];
      await expect(
        runMcpCommand(argv, { log: (message) => messages.push(message) }),
        argv.join(' '),
      ).resolves.toBe(2);
      expect(messages, argv.join(' ')).toEqual([expect.stringMatching(expected)]);
    }
  });

  it('prints its help for --help wherever it stands, exit code 0', async () => {
    for (const argv of [
      ['--help'],
      ['--plugins', '--help'],
      ['--port', 'x', '-h'],
      ['--frobnicate', '--help'],
    ]) {
      let printed = '';
      const messages: string[] = [];
      const exitCode = await runMcpCommand(argv, {
        log: (message) => messages.push(message),
        print: (text) => {
          printed += text;
        },
      });
      expect(exitCode, argv.join(' ')).toBe(0);
      expect(messages).toEqual([]);
      expect(printed).toContain('Usage: agentplug-mcp [options]');
      for (const flag of [
        '--plugins',
        '--isolation',
        '--max-risk',
        '--no-validate',
        '--watch',
        '--http',
        '--host',
        '--port',
        '--timeout-ms',
      ]) {
        expect(printed).toContain(flag);
      }
    }
  });
});
