import packageJson from '../package.json' with { type: 'json' };

/** This package's version, announced as the MCP server version unless the host names its own. */
export const MCP_PACKAGE_VERSION: string = packageJson.version;
