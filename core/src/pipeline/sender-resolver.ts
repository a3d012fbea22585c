import type { Sender } from '@omni/plugin-sdk';

/** Ties a sender to a person (the identity service provides it). */
export interface SenderResolver {
  resolveSender(input: { channel: string; instanceId: string; sender: Sender }): Promise<{ personId: string }>;
}
