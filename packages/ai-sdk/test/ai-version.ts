import aiPackage from 'ai/package.json' with { type: 'json' };

/** The major of `ai` under test: 6, or 7 in the `ai@7` project (where `ai` is the `ai-v7` install). */
export const aiMajor: number = Number(aiPackage.version.split('.')[0]);

/** The major of the Node.js running the tests. */
export const nodeMajor: number = Number(process.versions.node.split('.')[0]);

/**
 * Whether this Node.js is one the `ai` under test supports: ai@7 declares `engines.node >= 22`
 * (ai@6: >= 18). On Node.js 20 the ai@7 run skips its tests and the ai@6 run covers the adapter.
 */
export const aiSupportsThisNode: boolean = aiMajor < 7 || nodeMajor >= 22;
