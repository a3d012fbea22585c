import type { AnyEventEnvelope, DeliveryInfo, EventBus } from '@omni/plugin-sdk';

export interface EventBusHealth {
  ok: boolean;
  detail?: string;
}

/** An event bus as the kernel holds it: the plugin-facing EventBus plus health and shutdown. */
export interface ManagedEventBus extends EventBus {
  health(): Promise<EventBusHealth>;
  /** Stops delivery, waits (bounded) for running handlers, then releases resources. Idempotent. */
  close(): Promise<void>;
}

/** The handler shape both buses store internally: any event type, as `subscribe` with a wildcard filter takes it. */
export type AnyEventHandler = (event: AnyEventEnvelope, delivery: DeliveryInfo) => void | Promise<void>;
