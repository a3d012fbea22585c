import { z } from 'zod';

/** A query list given as repeated params (`?a=x&a=y`) or comma-separated (`?a=x,y`). */
export const queryList = <T extends z.ZodType<string>>(item: T) =>
  z.preprocess((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean)), z.array(item).optional());

/** `true`/`false`/`1`/`0` from a query string; anything else is a validation error. */
export const queryBoolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const queryLimit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const idParam = z.object({ id: z.string().min(1).max(128) });
