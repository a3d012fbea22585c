import { definePlugin } from '@omni/plugin-sdk';
import { z } from 'zod';

/**
 * Vetoes inbound messages whose text contains a blocked word, through the `message.access`
 * bail hook. Load it with `OMNI_PLUGINS=omni-plugin-word-filter` and configure it with
 * `OMNI_PLUGIN_WORD_FILTER_CONFIG='{"words":["spam"]}'`.
 */
export default definePlugin({
  id: 'word-filter',
  version: '1.0.0',
  kind: 'extension',
  description: 'Blocks inbound messages containing configured words',
  compat: { sdk: '^1.0.0' },
  services: ['hooks', 'logger'],
  config: z.object({
    words: z.array(z.string().min(1)).default([]),
    caseSensitive: z.boolean().default(false),
  }),
  setup({ config, services }) {
    const norm = (s: string) => (config.caseSensitive ? s : s.toLowerCase());
    const words = config.words.map(norm);
    services.hooks.hook(
      'message.access',
      ({ message, context }) => {
        const content = message.content;
        const text = content.type === 'text' ? content.text : 'caption' in content ? (content.caption ?? '') : '';
        const hit = words.find((w) => norm(text).includes(w));
        if (!hit) return undefined;
        services.logger.info({ instanceId: context.instanceId, sender: message.sender.id }, 'message blocked by word filter');
        return { allowed: false, reason: `contains blocked word '${hit}'` };
      },
      // Before rule-based access checks: a blocked word wins whatever the rules say.
      { order: -100 },
    );
  },
});
