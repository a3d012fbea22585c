import type { FakeSlackFile } from './types.js';
import type { FakeSlackWorkspace } from './workspace.js';

export type SlackEventPayload = Record<string, unknown> & { type: string };

export interface MessageEventInput {
  channel: string;
  user: string;
  text?: string;
  /** Default: a fresh timestamp. */
  ts?: string;
  /** Makes it a thread reply. */
  threadTs?: string;
  /** Files shared with the message (subtype `file_share`); add them with `addFile` first. */
  files?: FakeSlackFile[];
}

/**
 * Builds Events API payloads the way Slack sends them, and keeps the workspace in step
 * (a delivered message exists afterwards, so reactions, edits and history find it).
 */
export class SlackEventFactory {
  private seq = 0;

  constructor(
    private readonly workspace: FakeSlackWorkspace,
    private readonly identity: { teamId: string; botUserId: string },
  ) {}

  /** Wraps an inner event in the `event_callback` envelope. */
  callback(event: Record<string, unknown>, eventId = `Ev${String(++this.seq).padStart(8, '0')}`): SlackEventPayload {
    return {
      token: 'verification-token-unused',
      team_id: this.identity.teamId,
      api_app_id: 'AFAKEAPP',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ enterprise_id: null, team_id: this.identity.teamId, user_id: this.identity.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  }

  urlVerification(challenge: string): SlackEventPayload {
    return { token: 'verification-token-unused', challenge, type: 'url_verification' };
  }

  private channelType(channel: string): string {
    const type = this.workspace.channel(channel).type;
    return type === 'group' ? 'private' : type;
  }

  message(input: MessageEventInput): SlackEventPayload {
    const m = this.workspace.addMessage({ channel: input.channel, user: input.user, text: input.text ?? '', ts: input.ts, thread_ts: input.threadTs, files: input.files?.map((f) => f.id) });
    return this.callback({
      ...this.workspace.render(m),
      text: input.text ?? '',
      ...(input.files?.length ? { subtype: 'file_share', upload: false } : {}),
      channel: input.channel,
      channel_type: this.channelType(input.channel),
      event_ts: m.ts,
      team: this.identity.teamId,
    });
  }

  reaction(input: { user: string; reaction: string; channel: string; ts: string; removed?: boolean }): SlackEventPayload {
    const target = this.workspace.message(input.channel, input.ts);
    if (target && !input.removed) {
      const r = target.reactions.find((x) => x.name === input.reaction);
      if (r) r.users.push(input.user);
      else target.reactions.push({ name: input.reaction, users: [input.user] });
    }
    return this.callback({
      type: input.removed ? 'reaction_removed' : 'reaction_added',
      user: input.user,
      reaction: input.reaction,
      item: { type: 'message', channel: input.channel, ts: input.ts },
      ...(target?.user ? { item_user: target.user } : {}),
      event_ts: this.workspace.nextTs(),
    });
  }

  edit(input: { channel: string; ts: string; text: string }): SlackEventPayload {
    const target = this.workspace.message(input.channel, input.ts);
    const eventTs = this.workspace.nextTs();
    const previous = target ? this.workspace.render(target) : { type: 'message', ts: input.ts };
    if (target) {
      target.text = input.text;
      target.edited = { user: target.user ?? '', ts: eventTs };
    }
    const current = target ? this.workspace.render(target) : { type: 'message', ts: input.ts, text: input.text };
    return this.callback({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: input.channel,
      channel_type: this.channelType(input.channel),
      ts: eventTs,
      event_ts: eventTs,
      message: current,
      previous_message: previous,
    });
  }

  deletion(input: { channel: string; ts: string }): SlackEventPayload {
    const target = this.workspace.message(input.channel, input.ts);
    this.workspace.messages.delete(`${input.channel}:${input.ts}`);
    const eventTs = this.workspace.nextTs();
    return this.callback({
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: input.channel,
      channel_type: this.channelType(input.channel),
      ts: eventTs,
      event_ts: eventTs,
      deleted_ts: input.ts,
      ...(target ? { previous_message: this.workspace.render(target) } : {}),
    });
  }
}
