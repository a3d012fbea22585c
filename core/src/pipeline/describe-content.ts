import type { MessageContent } from '@omni/plugin-sdk';

/** A message's content as one line of text: its text or caption, else a bracketed description. The agent sees this, and traces store it. */
export function describeContent(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'image':
    case 'video':
    case 'document':
      return content.caption ?? `[${content.type}]`;
    case 'audio':
      return content.voiceNote ? '[voice note]' : '[audio]';
    case 'sticker':
      return '[sticker]';
    case 'location':
      return `[location ${content.latitude},${content.longitude}${content.name ? ` ${content.name}` : ''}]`;
    case 'contact':
      return `[contact ${content.contact.name}${content.contact.phone ? ` ${content.contact.phone}` : ''}]`;
    case 'reaction':
      return `[reaction ${content.emoji} to ${content.messageId}]`;
    case 'poll':
      return `[poll ${content.question}: ${content.options.join(' / ')}]`;
  }
}

