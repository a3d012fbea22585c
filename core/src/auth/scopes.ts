import { z } from 'zod';

/** Every scope a key can carry (seed 000), plus read-only variants for the `:*` groups. */
export const API_SCOPES = [
  '*',
  'instances:*',
  'instances:read',
  'instances:write',
  'instances:delete',
  'messages:*',
  'messages:send',
  'messages:read',
  'events:*',
  'events:read',
  'persons:*',
  'persons:read',
  'access:*',
  'access:read',
  'providers:*',
  'providers:read',
  'settings:*',
  'settings:read',
  'admin:*',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** What a route may require: a concrete scope (never a wildcard). */
export type RequiredScope = Exclude<ApiScope, '*' | `${string}:*`> | 'events:delete' | 'persons:write' | 'access:write' | 'providers:write' | 'settings:write' | 'admin:keys' | 'admin:plugins';

export const scopeSchema = z.enum(API_SCOPES);

/** True when the key's scopes cover the required one: `*`, the exact scope, or its `group:*`. */
export function grants(keyScopes: readonly string[], required: RequiredScope): boolean {
  const group = `${required.split(':')[0]}:*`;
  return keyScopes.some((s) => s === '*' || s === required || s === group);
}
