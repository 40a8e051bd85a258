/**
 * An engine plugin: `plan` orders tasks by their dependencies (Kahn's algorithm, one stage per
 * round), so an agent runtime can run each stage's tasks in parallel.
 */
export class Plugin {
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
  }

  /**
   * @param {{ tasks: Array<{ id: string, after?: string[] }> }} params
   * @returns {{ stages: string[][], order: string[] }}
   */
  plan(params) {
    /** @type {Map<string, Set<string>>} */
    const waitingOn = new Map();
    for (const task of params.tasks) {
      if (waitingOn.has(task.id)) throw new Error(`Task "${task.id}" is listed twice`);
      waitingOn.set(task.id, new Set(task.after ?? []));
    }
    for (const [id, needs] of waitingOn) {
      for (const need of needs) {
        if (!waitingOn.has(need)) throw new Error(`Task "${id}" runs after "${need}", which is not a task`);
      }
    }
    /** @type {string[][]} */
    const stages = [];
    while (waitingOn.size > 0) {
      const ready = [...waitingOn].filter(([, needs]) => needs.size === 0).map(([id]) => id);
      if (ready.length === 0) {
        throw new Error(`Tasks wait on each other in a cycle: ${[...waitingOn.keys()].sort().join(', ')}`);
      }
      ready.sort();
      stages.push(ready);
      for (const id of ready) waitingOn.delete(id);
      for (const needs of waitingOn.values()) for (const id of ready) needs.delete(id);
    }
    return { stages, order: stages.flat() };
  }
}
