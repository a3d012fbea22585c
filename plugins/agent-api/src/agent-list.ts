import { AgentCallError } from '@omni/plugin-sdk';

export interface AgentSummary {
  id: string;
  name: string;
  description?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** An agent listing: an array or `{items}` (or `{agents}`) of `{id|agent_id, name?, description?}` or plain id strings. */
export function parseAgentList(body: unknown): AgentSummary[] {
  const items = Array.isArray(body) ? body : (body as { items?: unknown; agents?: unknown } | null)?.items ?? (body as { agents?: unknown } | null)?.agents;
  if (!Array.isArray(items)) throw new AgentCallError('BAD_RESPONSE', 'agent list is neither an array nor {items: [...]}', { retryable: false });
  return items.flatMap((item): AgentSummary[] => {
    if (typeof item === 'string') return item ? [{ id: item, name: item }] : [];
    const o = (item ?? {}) as Record<string, unknown>;
    const id = str(o.id) ?? str(o.agent_id) ?? str(o.name);
    if (!id) return [];
    const description = str(o.description);
    return [{ id, name: str(o.name) ?? id, ...(description ? { description } : {}) }];
  });
}
