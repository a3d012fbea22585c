/** Slack reaction names for common emoji. Slack names reactions by shortcode, Omni by the emoji itself. */
const NAMES: Record<string, string> = {
  '👍': '+1',
  '👎': '-1',
  '❤️': 'heart',
  '❤': 'heart',
  '😂': 'joy',
  '😀': 'grinning',
  '😃': 'smiley',
  '😄': 'smile',
  '😊': 'blush',
  '😉': 'wink',
  '😍': 'heart_eyes',
  '😢': 'cry',
  '😭': 'sob',
  '😮': 'open_mouth',
  '😡': 'rage',
  '🙏': 'pray',
  '👏': 'clap',
  '🎉': 'tada',
  '🔥': 'fire',
  '✅': 'white_check_mark',
  '❌': 'x',
  '👀': 'eyes',
  '🚀': 'rocket',
  '💯': '100',
  '🤔': 'thinking_face',
  '👋': 'wave',
  '🙌': 'raised_hands',
  '✨': 'sparkles',
  '⭐': 'star',
  '💡': 'bulb',
  '⚠️': 'warning',
  '🆗': 'ok',
  '👌': 'ok_hand',
};
const ALIASES: Record<string, string> = { thumbsup: '+1', thumbsdown: '-1' };
const EMOJI = Object.fromEntries(Object.entries(NAMES).filter(([e]) => e !== '❤').map(([e, n]) => [n, e]));

/** The Slack reaction name for an emoji or a `:shortcode:`; undefined when unknown. */
export function reactionName(emoji: string): string | undefined {
  const trimmed = emoji.trim();
  const code = /^:?([a-z0-9_+'-]+)(::skin-tone-\d)?:?$/.exec(trimmed);
  if (code) return ALIASES[code[1]!] ?? code[1]! + (code[2] ?? '');
  return NAMES[trimmed] ?? NAMES[trimmed.replace(/\uFE0F/g, '')];
}

/** The emoji for a Slack reaction name, or `:name:` when it has no known emoji (custom emoji). */
export function emojiOf(name: string): string {
  const base = ALIASES[name] ?? name;
  return EMOJI[base] ?? `:${name}:`;
}
