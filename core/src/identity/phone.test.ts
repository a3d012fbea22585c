import { describe, expect, it } from 'vitest';
import { isPhoneChannel, normalizePhone, phoneFromPlatformUserId, senderPhone } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['+1 555-0100', '+15550100'],
    ['+55 (11) 99999-0000', '+5511999990000'],
    ['5511999990000', '+5511999990000'],
    ['  +44 20.7946.0000 ', '+442079460000'],
    ['0044 20 7946 0000', '+442079460000'],
    ['15550100@s.whatsapp.net', '+15550100'],
    ['5511999990000:12@s.whatsapp.net', '+5511999990000'],
    ['5511999990000@S.WHATSAPP.NET', '+5511999990000'],
    ['5511999990000@c.us', '+5511999990000'],
    ['+123456789012345', '+123456789012345'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['a LID', '123456789012345@lid'],
    ['a LID with device', '123456789012345:3@lid'],
    ['a group JID', '120363025246125888@g.us'],
    ['a broadcast', 'status@broadcast'],
    ['an email', 'ana@example.com'],
    ['letters', '+55 11 ABC'],
    ['a national number with trunk zero', '011 99999-0000'],
    ['too short', '+123456'],
    ['too long', '+1234567890123456'],
    ['a bare plus', '+'],
    ['two pluses', '++5511999990000'],
    ['a plus in the middle', '55+11999990000'],
    ['empty', ''],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s', (_, input) => {
    expect(normalizePhone(input)).toBeUndefined();
  });
});

describe('phone from a platform user id', () => {
  it('reads phones only from WhatsApp channels', () => {
    expect(isPhoneChannel('whatsapp')).toBe(true);
    expect(isPhoneChannel('whatsapp-baileys')).toBe(true);
    expect(isPhoneChannel('whatsappish')).toBe(false);
    expect(isPhoneChannel('discord')).toBe(false);

    expect(phoneFromPlatformUserId('whatsapp-baileys', '5511999990000@s.whatsapp.net')).toBe('+5511999990000');
    expect(phoneFromPlatformUserId('whatsapp-cloud', '5511999990000')).toBe('+5511999990000');
    expect(phoneFromPlatformUserId('whatsapp-baileys', '123456789012345@lid')).toBeUndefined();
    // A Discord snowflake is all digits, and no phone.
    expect(phoneFromPlatformUserId('discord', '123456789012345')).toBeUndefined();
    expect(phoneFromPlatformUserId('telegram', '5511999990000')).toBeUndefined();
  });

  it('prefers the explicit sender phone, on any channel', () => {
    expect(senderPhone('whatsapp-baileys', { id: '123456789012345@lid', phone: '+55 11 99999-0000' })).toBe('+5511999990000');
    expect(senderPhone('whatsapp-baileys', { id: '5511999990000@s.whatsapp.net' })).toBe('+5511999990000');
    expect(senderPhone('whatsapp-baileys', { id: '5511999990000@s.whatsapp.net', phone: '+1 555-0100' })).toBe('+15550100');
    expect(senderPhone('telegram', { id: '987654321', phone: '15550100' })).toBe('+15550100');
    expect(senderPhone('discord', { id: '123456789012345678' })).toBeUndefined();
    expect(senderPhone('whatsapp-baileys', { id: '123456789012345@lid', phone: 'unknown' })).toBeUndefined();
  });
});
