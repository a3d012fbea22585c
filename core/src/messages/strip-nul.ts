/**
 * A copy of a JSON-like value with every NUL character removed from its strings. Platforms can
 * deliver text holding NUL, which PostgreSQL cannot store in text or JSON; dropping it keeps the
 * message instead of failing its insert.
 */
export function stripNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(stripNul) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [stripNul(k), stripNul(v)])) as T;
  }
  return value;
}
