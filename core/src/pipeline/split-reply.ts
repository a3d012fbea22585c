/** Where to cut a too-long chunk, best first: a line break, a sentence end, a space. */
const BREAKS = [/\n/g, /[.!?…](?=\s)/g, /\s/g];

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const pattern of BREAKS) {
    let last = -1;
    for (const m of window.matchAll(pattern)) if (m.index !== undefined && m.index > 0 && m.index < max) last = m.index + m[0].length;
    // Do not accept a cut that leaves a tiny first chunk when a coarser break exists later.
    if (last > max / 4) return last;
  }
  // No break: cut hard, but never between the halves of a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

function chunk(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const at = cutPoint(rest, max);
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) out.push(rest);
  return out.filter(Boolean);
}

/**
 * Splits an agent reply into the messages to send: on blank lines when auto-split is on, and
 * always so that no message exceeds the channel's maximum text length.
 */
export function splitReply(text: string, options: { autoSplit: boolean; maxLength: number }): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const parts = options.autoSplit ? trimmed.split(/\n[ \t]*\n/).map((p) => p.trim()).filter(Boolean) : [trimmed];
  return parts.flatMap((p) => chunk(p, options.maxLength));
}
