/** JSON bodies may nest this deep; deeper ones would overflow the stack of recursive validators. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests arrays or objects deeper than `max`. Iterative: safe for any depth. */
export function exceedsJsonDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
