/** This package's version, announced as the MCP server version unless the host names its own. */
export const MCP_PACKAGE_VERSION: string = '0.1.0';
