/**
 * Names a plugin may never be given, whatever it declares: they change how Node or the C library
 * start (NODE_OPTIONS could add `--allow-child-process` or `--require`, LD_PRELOAD loads native
 * code), so a declaration of them is ignored.
 */
const startupVariable = /^(NODE_|LD_|DYLD_|UV_|MALLOC_|GLIBC_TUNABLES$|OPENSSL_|SSL_CERT_)/;

/** Whether a declared environment variable may be passed to an isolated plugin. */
export function isPassableEnvironmentVariable(name: string): boolean {
  return name !== '' && !name.includes('=') && !name.includes('\u0000') && !startupVariable.test(name);
}

/** The environment an isolated plugin starts with: only the declared variables the host has. */
export function selectEnvironment(declared: readonly string[]): Record<string, string> {
  const environment: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of declared) {
    if (typeof name !== 'string' || !isPassableEnvironmentVariable(name)) continue;
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}
