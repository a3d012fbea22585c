import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver knows of one reply when it arrives. */
export interface ArrivedReply {
  /** `performance.now()` of the driver process when the whole body was read. */
  at: number;
  /** `Date.now()` at the same moment, to compare with the hub's row timestamps. */
  wallClock: number;
  body: any;
}

/**
 * The outbound receiver: the system a webhook instance POSTs its replies to (`outboundUrl`). It
 * answers 200 at once and hands each reply to whoever waits for its text (`Echo: <sent text>`).
 */
export class OutboundReceiver {
  private readonly waiting = new Map<string, (reply: ArrivedReply) => void>();
  private server?: Server;
  private seq = 0;
  /** Replies nobody waited for (late ones after a timeout, or unexpected ones). */
  unmatched = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const wallClock = Date.now();
        let body: any;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const json = JSON.stringify({ messageId: `rcv-${++this.seq}` });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
        res.end(json);
        const key = body?.content?.text;
        const wake = typeof key === 'string' ? this.waiting.get(key) : undefined;
        if (!wake) {
          this.unmatched++;
          return;
        }
        this.waiting.delete(key);
        wake({ at, wallClock, body });
      });
    });
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * `reply` resolves when the reply with this text arrives, or with undefined after `timeoutMs` or
   * `cancel()`. Register before sending: a reply may in principle beat the inbound POST's answer.
   */
  expect(text: string, timeoutMs: number): { reply: Promise<ArrivedReply | undefined>; cancel(): void } {
    let cancel = () => {};
    const reply = new Promise<ArrivedReply | undefined>((resolve) => {
      const timer = setTimeout(() => cancel(), timeoutMs);
      cancel = () => {
        clearTimeout(timer);
        this.waiting.delete(text);
        resolve(undefined);
      };
      this.waiting.set(text, (arrived) => {
        clearTimeout(timer);
        resolve(arrived);
      });
    });
    return { reply, cancel };
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.server!.closeAllConnections();
    });
  }
}
