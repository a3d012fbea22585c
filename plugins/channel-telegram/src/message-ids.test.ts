import { describe, expect, it } from 'vitest';
import { messageExternalId, parseMessageRef } from './message-ids.js';

describe('Telegram message ids', () => {
  it('round-trips chat and message id, including supergroups and edits/reactions', () => {
    expect(parseMessageRef(messageExternalId(-1001234567890, 42))).toEqual({ chatId: '-1001234567890', messageId: 42 });
    expect(parseMessageRef('555:7:edit:1700000000')).toEqual({ chatId: '555', messageId: 7 });
    expect(parseMessageRef('@mychannel:9')).toEqual({ chatId: '@mychannel', messageId: 9 });
  });

  it('reads a bare message id in the given chat, and refuses anything else', () => {
    expect(parseMessageRef('42', '555')).toEqual({ chatId: '555', messageId: 42 });
    expect(parseMessageRef('42')).toBeUndefined();
    expect(parseMessageRef('conf-123', '555')).toBeUndefined();
  });
});
