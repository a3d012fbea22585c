import type { SubscribeOptions } from '@omni/plugin-sdk';

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_RETRY_DELAY_MS = 1_000;

/** SubscribeOptions with defaults applied and values checked. */
export interface SubscribeSettings {
  durable?: string;
  maxDeliver: number;
  ackWaitMs: number;
  retryDelayMs: number;
}

// What JetStream accepts as a consumer name; enforced on both buses so code moves between them.
const DURABLE_NAME = /^[A-Za-z0-9_-]+$/;

export function resolveSubscribeSettings(options: SubscribeOptions = {}): SubscribeSettings {
  const { durable } = options;
  if (durable !== undefined && !DURABLE_NAME.test(durable)) {
    throw new Error(`Invalid durable name "${durable}": use only letters, digits, "-" and "_"`);
  }
  return {
    ...(durable === undefined ? {} : { durable }),
    maxDeliver: checkInteger('maxDeliver', options.maxDeliver ?? DEFAULT_MAX_DELIVER, 1),
    ackWaitMs: checkInteger('ackWaitMs', options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS, 1),
    retryDelayMs: checkInteger('retryDelayMs', options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, 0),
  };
}

function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}
