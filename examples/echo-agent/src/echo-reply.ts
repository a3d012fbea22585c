/** Put this in a message to get the echo back as three paragraphs (to show auto-split). */
export const SPLIT_MARKER = '[[split]]';
/** Put `[[delay:<ms>]]` in a message to delay that one answer. */
const DELAY_MARKER = /\[\[delay:(\d+)\]\]/;

/**
 * The answer text for a message: `Echo: <message>` (markers removed), or, with the split marker,
 * that echo three times as numbered paragraphs separated by blank lines.
 */
export function echoText(message: string): string {
  const stripped = message.replace(SPLIT_MARKER, '').replace(DELAY_MARKER, '');
  const echoed = `Echo: ${stripped === message ? message : stripped.trim()}`;
  if (!message.includes(SPLIT_MARKER)) return echoed;
  return [1, 2, 3].map((n) => `${echoed} (part ${n} of 3)`).join('\n\n');
}

/** The delay a message asks for with `[[delay:<ms>]]`, if any. */
export function requestedDelay(message: string): number | undefined {
  const match = DELAY_MARKER.exec(message);
  return match ? Number(match[1]) : undefined;
}
