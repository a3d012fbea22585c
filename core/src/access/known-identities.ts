import type { InboundHookContext } from '@omni/plugin-sdk';
import type { AccessIdentity } from './access-rules.js';

/**
 * The router has just read the identities of the sender's person (`resolveSender` returns them);
 * it attaches them to the hook context so the access hook does not read them again. Kept beside
 * the context object, not in it: the context is the SDK's shape, seen by plugins.
 */
const attached = new WeakMap<InboundHookContext, { personId: string; identities: readonly AccessIdentity[] }>();

export function attachIdentities(context: InboundHookContext, personId: string, identities: readonly AccessIdentity[]): void {
  attached.set(context, { personId, identities });
}

/** The attached identities, when they belong to the context's person (a hook may have changed it). */
export function attachedIdentities(context: InboundHookContext): readonly AccessIdentity[] | undefined {
  const entry = attached.get(context);
  return entry !== undefined && entry.personId === context.personId ? entry.identities : undefined;
}
