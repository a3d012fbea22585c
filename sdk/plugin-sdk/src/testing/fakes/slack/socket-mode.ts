import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Waiters } from '../waiters.js';

/** An acknowledgement a Socket Mode client sent back for an envelope. */
export interface SocketModeAck {
  envelope_id: string;
  payload?: unknown;
}

/**
 * The Socket Mode side of the fake: apps.connections.open hands out one-time tickets, a client
 * that connects with one gets `hello`, then `events_api` envelopes; its acks are recorded.
 */
export class FakeSocketMode {
  readonly acks: SocketModeAck[] = [];
  /** How many websocket connections were accepted so far (reconnects count). */
  connectionCount = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiters = new Waiters();
  private envelopeSeq = 0;
  private ticketSeq = 0;

  constructor(server: Server, private readonly baseUrl: () => string) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/socket-mode' || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** A one-time websocket URL, as apps.connections.open returns. */
  issueUrl(): string {
    const ticket = `ticket-${++this.ticketSeq}`;
    this.tickets.add(ticket);
    return `${this.baseUrl().replace(/^http/, 'ws')}/socket-mode?ticket=${ticket}`;
  }

  /** Open websocket connections. */
  get openConnections(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  private accept(ws: WebSocket) {
    this.connectionCount += 1;
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.wake();
    });
    ws.on('message', (data) => {
      try {
        const msg = JSON.parse(data.toString()) as SocketModeAck;
        if (typeof msg.envelope_id === 'string') this.acks.push(msg);
      } catch {
        // not JSON: a real Slack ignores it too
      }
      this.wake();
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }, connection_info: { app_id: 'AFAKEAPP' } }));
    this.wake();
  }

  private wake() {
    this.waiters.wake();
  }

  /** Resolves once `probe` returns a value, re-checked on every socket event. */
  waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    return this.waiters.until(probe, timeoutMs, `fake slack socket mode: timed out waiting for ${what}`);
  }

  /** Waits for an open client connection. */
  waitForConnection(timeoutMs?: number): Promise<number> {
    return this.waitUntil('a socket mode connection', () => (this.openConnections > 0 ? this.openConnections : undefined), timeoutMs);
  }

  /** Sends an Events API payload as an `events_api` envelope to the newest connection; returns its envelope id. */
  sendEvent(payload: Record<string, unknown>, options: { retryAttempt?: number; retryReason?: string; envelopeId?: string } = {}): string {
    const socket = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!socket) throw new Error('fake slack socket mode: no client is connected');
    const envelopeId = options.envelopeId ?? `env-${++this.envelopeSeq}`;
    socket.send(
      JSON.stringify({ envelope_id: envelopeId, type: 'events_api', accepts_response_payload: false, retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '', payload }),
    );
    return envelopeId;
  }

  /** Waits until the client acknowledged the envelope. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketModeAck> {
    return this.waitUntil(`the ack of ${envelopeId}`, () => this.acks.find((a) => a.envelope_id === envelopeId), timeoutMs);
  }

  /** Asks clients to reconnect, as Slack does before recycling a server (`type: disconnect`). */
  sendDisconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested') {
    for (const s of this.sockets) s.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
  }

  /** Drops every connection abruptly, as a network failure would. */
  dropConnections() {
    for (const s of this.sockets) s.terminate();
  }

  close() {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
  }
}
