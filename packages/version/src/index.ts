/** Package version, replaced as the package grows its API. */
export const packageName: string = '@agentplug/version';
