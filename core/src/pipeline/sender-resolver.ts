import type { Sender } from '@omni/plugin-sdk';
import type { AccessIdentity } from '../access/access-rules.js';

/** Ties a sender to a person (the identity service provides it), with the person's identities when known. */
export interface SenderResolver {
  resolveSender(input: { channel: string; instanceId: string; sender: Sender }): Promise<{ personId: string; identities?: readonly AccessIdentity[] }>;
}
