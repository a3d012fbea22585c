/**
 * Splits text into pieces Telegram accepts (at most `max` UTF-16 units each), preferring
 * paragraph, line and word boundaries. Agent replies arrive already split by the kernel
 * (capabilities.limits.maxTextLength); this covers direct sends through the messages API.
 */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (cut < max / 2) cut = max;
    // Never cut a surrogate pair in half.
    if (cut === max && /[\uD800-\uDBFF]/.test(rest[cut - 1]!)) cut -= 1;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks.filter((c) => c.length > 0);
}
