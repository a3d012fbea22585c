/**
 * A Slack message is identified by its conversation and timestamp (`ts` is unique per
 * conversation only), so Omni's id for it, inbound and outbound, is `<channel>:<ts>`.
 */
export const messageKey = (channel: string, ts: string) => `${channel}:${ts}`;

const KEY = /^([A-Z0-9]+):(\d+\.\d+)$/;

/** Reads a message id given to Omni: `<channel>:<ts>`, or a bare `ts` in `fallbackChannel`. */
export function parseMessageKey(id: string, fallbackChannel: string): { channel: string; ts: string } {
  const match = KEY.exec(id);
  return match ? { channel: match[1]!, ts: match[2]! } : { channel: fallbackChannel, ts: id };
}
