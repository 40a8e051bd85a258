/** A listener of one event: receives its payload. */
export type EventListener<Payload> = (payload: Payload) => void;

/**
 * A small typed event emitter. A listener that throws does not disturb the emitter or the other
 * listeners; its error is reported as a process warning.
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<EventListener<never>>>();

  /** Adds a listener and returns a function that removes it. */
  on<Name extends keyof Events>(event: Name, listener: EventListener<Events[Name]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as EventListener<never>);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link TypedEmitter.on}. */
  off<Name extends keyof Events>(event: Name, listener: EventListener<Events[Name]>): void {
    this.listeners.get(event)?.delete(listener as EventListener<never>);
  }

  /** Calls every listener of `event` with `payload`. */
  emit<Name extends keyof Events>(event: Name, payload: Events[Name]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as EventListener<Events[Name]>)(payload);
      } catch (error) {
        process.emitWarning(
          `an agentplug loader listener of "${String(event)}" threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
