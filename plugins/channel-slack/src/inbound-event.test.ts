import { describe, expect, it } from 'vitest';
import type { Media } from '@omni/plugin-sdk';
import { chatTypeOf, mentionsOf, normalizeEvent, type NormalizeContext, type SlackInnerEvent } from './inbound-event.js';

const downloads: string[] = [];
const ctx: NormalizeContext = {
  self: { userId: 'UBOT', botId: 'BBOT' },
  sender: async (id) => ({ id, name: `name-of-${id}` }),
  download: async (file): Promise<Media> => {
    downloads.push(file.id);
    return { url: `/api/v2/media/i/${file.id}`, mimeType: file.mimetype, filename: file.name, size: file.size, storageKey: file.id };
  },
};
const normalize = (event: Record<string, unknown>) => normalizeEvent(event as unknown as SlackInnerEvent, ctx);

describe('slack inbound normalization', () => {
  it('turns a channel message into text with sender profile, mentions, decoded entities and the <channel>:<ts> id', async () => {
    const [m] = await normalize({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'U1', text: 'hi <@UBOT> &amp; <@U2|bo> &lt;3', ts: '1700000000.000100' });
    expect(m).toMatchObject({
      externalId: 'C1:1700000000.000100',
      chatId: 'C1',
      chatType: 'channel',
      sender: { id: 'U1', name: 'name-of-U1' },
      content: { type: 'text', text: 'hi <@UBOT> & <@U2|bo> <3' },
      mentions: ['UBOT', 'U2'],
      timestamp: new Date(1_700_000_000_000),
    });
    expect(m!.threadId).toBeUndefined();
  });

  it('maps thread replies to threadId and replyTo the parent, and chat types from channel_type or the id', async () => {
    const [m] = await normalize({ type: 'message', channel: 'G1', channel_type: 'group', user: 'U1', text: 'in thread', ts: '2.000200', thread_ts: '1.000100' });
    expect(m).toMatchObject({ chatType: 'group', threadId: '1.000100', replyTo: 'G1:1.000100' });
    expect(chatTypeOf('D1', 'im')).toBe('dm');
    expect(chatTypeOf('C1', 'mpim')).toBe('group');
    expect(chatTypeOf('D9')).toBe('dm');
    expect(mentionsOf('<@W1> <@W1> <#C1>')).toEqual(['W1']);
  });

  it('ignores the bot itself, housekeeping subtypes and other event types', async () => {
    expect(await normalize({ type: 'message', channel: 'C1', user: 'UBOT', text: 'me', ts: '1.1' })).toEqual([]);
    expect(await normalize({ type: 'message', subtype: 'bot_message', channel: 'C1', bot_id: 'BBOT', text: 'me', ts: '1.1' })).toEqual([]);
    expect(await normalize({ type: 'message', subtype: 'channel_join', channel: 'C1', user: 'U1', text: 'joined', ts: '1.1' })).toEqual([]);
    expect(await normalize({ type: 'app_mention', channel: 'C1', user: 'U1', text: 'x', ts: '1.1' })).toEqual([]);
  });

  it('downloads each shared file: the caption rides on the first, every part has its own id', async () => {
    const files = [
      { id: 'F1', name: 'a.png', mimetype: 'image/png', size: 3, url_private: 'x' },
      { id: 'F2', name: 'b.ogg', mimetype: 'audio/ogg', size: 4, url_private: 'y' },
    ];
    const out = await normalize({ type: 'message', subtype: 'file_share', channel: 'D1', channel_type: 'im', user: 'U1', text: 'look', ts: '5.000100', files });
    expect(out.map((m) => m.externalId)).toEqual(['D1:5.000100', 'D1:5.000100/1']);
    expect(out[0]!.content).toMatchObject({ type: 'image', caption: 'look', media: { storageKey: 'F1', mimeType: 'image/png' } });
    expect(out[1]!.content).toMatchObject({ type: 'audio', media: { storageKey: 'F2' } });
    expect(downloads).toEqual(['F1', 'F2']);
    const audioOnly = await normalize({ type: 'message', subtype: 'file_share', channel: 'D1', user: 'U1', text: 'listen', ts: '6.000100', files: [files[1]] });
    expect(audioOnly.map((m) => m.content.type)).toEqual(['text', 'audio']);
  });

  it('turns message_changed into an edit of the original and skips unchanged text', async () => {
    const [edit] = await normalize({
      type: 'message',
      subtype: 'message_changed',
      channel: 'C1',
      ts: '9.000100',
      message: { type: 'message', user: 'U1', text: 'new', ts: '1.000100' },
      previous_message: { type: 'message', user: 'U1', text: 'old', ts: '1.000100' },
    });
    expect(edit).toMatchObject({ externalId: 'C1:1.000100:edit:9.000100', content: { type: 'text', text: 'new' }, change: { kind: 'edit', targetId: 'C1:1.000100' }, sender: { id: 'U1' } });
    const unfurl = await normalize({ type: 'message', subtype: 'message_changed', channel: 'C1', ts: '9.2', message: { user: 'U1', text: 'same', ts: '1.1' }, previous_message: { user: 'U1', text: 'same', ts: '1.1' } });
    expect(unfurl).toEqual([]);
  });

  it('turns message_deleted into a delete of the original', async () => {
    const [del] = await normalize({ type: 'message', subtype: 'message_deleted', channel: 'C1', ts: '9.000300', deleted_ts: '1.000100', previous_message: { user: 'U1', text: 'bye', ts: '1.000100' } });
    expect(del).toMatchObject({ externalId: 'C1:1.000100:delete', change: { kind: 'delete', targetId: 'C1:1.000100' }, content: { type: 'text', text: 'bye' } });
  });

  it('turns reaction_added into a reaction with the emoji, and reaction_removed into an empty one', async () => {
    const [added] = await normalize({ type: 'reaction_added', user: 'U1', reaction: '+1', item: { type: 'message', channel: 'C1', ts: '1.000100' }, event_ts: '3.000100' });
    expect(added).toMatchObject({ externalId: 'C1:1.000100:react:U1:+1:3.000100', content: { type: 'reaction', messageId: 'C1:1.000100', emoji: '👍' } });
    const [custom] = await normalize({ type: 'reaction_added', user: 'U1', reaction: 'partyparrot', item: { type: 'message', channel: 'C1', ts: '1.000100' }, event_ts: '3.2' });
    expect(custom!.content).toMatchObject({ emoji: ':partyparrot:' });
    const [removed] = await normalize({ type: 'reaction_removed', user: 'U1', reaction: '+1', item: { type: 'message', channel: 'C1', ts: '1.000100' }, event_ts: '4.1' });
    expect(removed!.content).toMatchObject({ type: 'reaction', emoji: '' });
    expect(await normalize({ type: 'reaction_added', user: 'UBOT', reaction: '+1', item: { type: 'message', channel: 'C1', ts: '1.1' } })).toEqual([]);
  });
});
