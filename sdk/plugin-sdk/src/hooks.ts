import type { InboundMessage, OutboundMessage } from './messages.js';

/** Every handler runs in order; a throw stops the chain and reaches the caller. */
export interface SerialHook<TPayload> {
  kind: 'serial';
  payload: TPayload;
}
/** Each handler receives the previous handler's result and returns a replacement. */
export interface WaterfallHook<TValue> {
  kind: 'waterfall';
  payload: TValue;
}
/** Handlers run in order until one returns a value other than undefined: that value wins (a veto, a verdict). */
export interface BailHook<TPayload, TResult> {
  kind: 'bail';
  payload: TPayload;
  result: TResult;
}

export interface InboundHookContext {
  instanceId: string;
  channel: string;
  eventId: string;
  traceId: string;
  personId?: string;
}

export interface AccessVerdict {
  allowed: boolean;
  reason: string;
  ruleId?: string;
}

/**
 * Every hook and how it runs. Plugins add hooks by declaration merging:
 *
 *   declare module '@omni/plugin-sdk' { interface OmniHooks { 'crm.beforeSync': SerialHook<{ id: string }> } }
 */
export interface OmniHooks {
  /** Transform an inbound message before it is routed to the agent. */
  'message.inbound': WaterfallHook<{ message: InboundMessage; context: InboundHookContext }>;
  /** Decide whether an inbound message may reach the agent. Return a verdict to decide, undefined to pass. */
  'message.access': BailHook<{ message: InboundMessage; context: InboundHookContext }, AccessVerdict>;
  /** Transform an outbound message before it goes to the channel. */
  'message.outbound': WaterfallHook<{ message: OutboundMessage; instanceId: string; channel: string }>;
  /** The HTTP server is listening. */
  'server.ready': SerialHook<{ url: string }>;
  /** The kernel is about to stop every plugin. */
  'kernel.stopping': SerialHook<Record<string, never>>;
}

export type HookName = keyof OmniHooks & string;
type HooksOfKind<K extends string> = { [N in HookName]: OmniHooks[N] extends { kind: K } ? N : never }[HookName];
export type SerialHookName = HooksOfKind<'serial'>;
export type WaterfallHookName = HooksOfKind<'waterfall'>;
export type BailHookName = HooksOfKind<'bail'>;

type Awaitable<T> = T | Promise<T>;
export type HookPayload<N extends HookName> = OmniHooks[N]['payload'];
export type BailResult<N extends BailHookName> = OmniHooks[N] extends BailHook<unknown, infer R> ? R : never;

export type HookHandler<N extends HookName> = OmniHooks[N] extends SerialHook<infer P>
  ? (payload: P) => Awaitable<void>
  : OmniHooks[N] extends WaterfallHook<infer V>
    ? (value: V) => Awaitable<V>
    : OmniHooks[N] extends BailHook<infer P, infer R>
      ? (payload: P) => Awaitable<R | undefined>
      : never;

export interface HookOptions {
  /** Lower runs first; default 0. Handlers with equal order run in registration order. */
  order?: number;
}

/** The hook bus as a plugin sees it. Handlers it registers are removed when it stops. */
export interface Hooks {
  hook<N extends HookName>(name: N, handler: HookHandler<N>, options?: HookOptions): () => void;
  callSerial<N extends SerialHookName>(name: N, payload: HookPayload<N>): Promise<void>;
  callWaterfall<N extends WaterfallHookName>(name: N, value: HookPayload<N>): Promise<HookPayload<N>>;
  callBail<N extends BailHookName>(name: N, payload: HookPayload<N>): Promise<BailResult<N> | undefined>;
}
