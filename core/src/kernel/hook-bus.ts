import type {
  BailHookName,
  BailResult,
  HookHandler,
  HookName,
  HookOptions,
  HookPayload,
  Hooks,
  SerialHookName,
  WaterfallHookName,
} from '@omni/plugin-sdk';

interface Registration {
  owner: string;
  order: number;
  seq: number;
  handler: (value: unknown) => unknown;
}

/**
 * The typed hook bus: serial, waterfall and bail calls over ordered handlers, each tagged
 * with the plugin that registered it so a stopping plugin leaves nothing behind.
 * (hookable has neither waterfall/bail semantics with ordering nor removal by owner.)
 */
export class HookBus {
  private readonly handlers = new Map<string, Registration[]>();
  private seq = 0;

  /** The hook API for one owner (a plugin id, or `core`). */
  forOwner(owner: string): Hooks {
    return {
      hook: (name, handler, options) => this.add(owner, name, handler, options),
      callSerial: (name, payload) => this.callSerial(name, payload),
      callWaterfall: (name, value) => this.callWaterfall(name, value),
      callBail: (name, payload) => this.callBail(name, payload),
    };
  }

  add<N extends HookName>(owner: string, name: N, handler: HookHandler<N>, options: HookOptions = {}): () => void {
    const reg: Registration = { owner, order: options.order ?? 0, seq: this.seq++, handler: handler as Registration['handler'] };
    const list = [...(this.handlers.get(name) ?? []), reg].sort((a, b) => a.order - b.order || a.seq - b.seq);
    this.handlers.set(name, list);
    return () => this.handlers.set(name, (this.handlers.get(name) ?? []).filter((r) => r !== reg));
  }

  /** Removes every handler the owner registered; returns how many. */
  removeOwner(owner: string): number {
    let removed = 0;
    for (const [name, list] of this.handlers) {
      const kept = list.filter((r) => r.owner !== owner);
      removed += list.length - kept.length;
      this.handlers.set(name, kept);
    }
    return removed;
  }

  async callSerial<N extends SerialHookName>(name: N, payload: HookPayload<N>): Promise<void> {
    for (const reg of this.snapshot(name)) await reg.handler(payload);
  }

  async callWaterfall<N extends WaterfallHookName>(name: N, value: HookPayload<N>): Promise<HookPayload<N>> {
    let current: unknown = value;
    for (const reg of this.snapshot(name)) {
      const next = await reg.handler(current);
      if (next === undefined) throw new Error(`waterfall hook '${name}': a handler of '${reg.owner}' returned undefined`);
      current = next;
    }
    return current as HookPayload<N>;
  }

  async callBail<N extends BailHookName>(name: N, payload: HookPayload<N>): Promise<BailResult<N> | undefined> {
    for (const reg of this.snapshot(name)) {
      const result = await reg.handler(payload);
      if (result !== undefined) return result as BailResult<N>;
    }
    return undefined;
  }

  /** Handlers registered during a call take effect from the next call. */
  private snapshot(name: string): readonly Registration[] {
    return this.handlers.get(name) ?? [];
  }
}
