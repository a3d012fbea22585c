import { describeChannelConformance, type ObservedOutbound } from '@omni/plugin-sdk/testing';
import { startFakeTelegram, type TelegramCall } from '@omni/plugin-sdk/testing/telegram';
import telegramChannel from './index.js';

/** Which Omni content type each Bot API send method carries. */
const SEND_METHODS: Record<string, ObservedOutbound['type']> = {
  sendMessage: 'text',
  sendPhoto: 'image',
  sendAudio: 'audio',
  sendVoice: 'audio',
  sendVideo: 'video',
  sendDocument: 'document',
  sendSticker: 'sticker',
  sendLocation: 'location',
  sendVenue: 'location',
  sendContact: 'contact',
  setMessageReaction: 'reaction',
};

describeChannelConformance({
  plugin: telegramChannel,
  async createDriver() {
    const fake = await startFakeTelegram();
    const user = fake.user({ first_name: 'Conformance', last_name: 'User', username: 'conformance_user' });
    const isSend = (c: TelegramCall) => c.method in SEND_METHODS && c.response.ok;
    return {
      recipient: String(user.id),
      instanceConfig: () => ({ botToken: fake.token, apiRoot: fake.apiRoot, pollTimeoutSeconds: 5, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } }),
      async deliverText(_target, m) {
        const message = await fake.userMessage({ from: user, text: m.text });
        return { externalId: `${message.chat.id}:${message.message_id}` };
      },
      async nextOutbound(timeoutMs = 5_000) {
        const call = await fake.takeCall(isSend, timeoutMs);
        return { to: String(call.params.chat_id), type: SEND_METHODS[call.method]!, ...(typeof call.params.text === 'string' ? { text: call.params.text } : {}) };
      },
      close: () => fake.close(),
    };
  },
});
