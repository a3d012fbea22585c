import { OmniError } from '@omni/plugin-sdk';

/** Where a page ended, in a listing ordered by (createdAt, id). */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

/** An opaque cursor: base64url JSON of `[createdAt ISO, id]`. */
export function encodeCursor({ createdAt, id }: CursorPosition): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** Throws VALIDATION_ERROR for anything that is not a cursor this code made. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // Not base64url JSON: reported below like any other malformed cursor.
  }
  throw new OmniError('VALIDATION_ERROR', 'invalid cursor');
}
