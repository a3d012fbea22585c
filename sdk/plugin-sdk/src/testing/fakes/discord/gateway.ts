import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { guildCreate } from './payloads.js';
import type { DiscordGuild, DiscordUser, RecordedGatewayOp } from './types.js';

interface Session {
  id: string;
  intents: number;
  seq: number;
}

interface GatewayDeps {
  token: () => string;
  botUser: () => DiscordUser;
  guilds: () => DiscordGuild[];
  url: () => string;
  heartbeatIntervalMs: number;
}

/**
 * The fake's gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, RESUME -> RESUMED, heartbeat ACKs,
 * presence updates, and dispatches filtered by each session's intents. A wrong token closes with 4004.
 */
export class FakeGateway {
  /** Every payload clients sent, in order. */
  readonly received: RecordedGatewayOp[] = [];
  /** How many IDENTIFYs and RESUMEs succeeded. */
  identifies = 0;
  resumes = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly live = new Map<WebSocket, Session | undefined>();
  private readonly sessions = new Map<string, Session>();
  private refusing = false;
  private sessionCounter = 0;

  constructor(
    server: Server,
    private readonly deps: GatewayDeps,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.refusing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** Sockets that completed IDENTIFY or RESUME. */
  get connectedSessions(): number {
    return [...this.live.values()].filter(Boolean).length;
  }

  /** While true, new gateway connections are refused with HTTP 503 (a platform outage). */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  /** Closes every gateway socket with `code` (default 4000, which clients resume after). */
  dropConnections(code = 4000): void {
    for (const ws of this.live.keys()) ws.close(code, 'dropped by the fake');
  }

  /**
   * Sends a dispatch to every session whose intents include any of `intents` (0: everyone).
   * `shape` can adapt the data to each session's intents (e.g. no content without MESSAGE_CONTENT).
   */
  dispatch(t: string, d: unknown, intents = 0, shape?: (d: unknown, sessionIntents: number) => unknown): number {
    let delivered = 0;
    for (const [ws, session] of this.live) {
      if (!session) continue;
      if (intents !== 0 && (session.intents & intents) === 0) continue;
      this.send(ws, { op: 0, t, d: shape ? shape(d, session.intents) : d, s: ++session.seq });
      delivered++;
    }
    return delivered;
  }

  /** The intents of the live sessions. */
  sessionIntents(): number[] {
    return [...this.live.values()].filter((s): s is Session => s !== undefined).map((s) => s.intents);
  }

  close(): void {
    for (const ws of this.live.keys()) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.live.set(ws, undefined);
    this.send(ws, { op: 10, d: { heartbeat_interval: this.deps.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (data) => this.onPayload(ws, data.toString()));
    ws.on('close', () => this.live.delete(ws));
    ws.on('error', () => this.live.delete(ws));
  }

  private onPayload(ws: WebSocket, text: string): void {
    let payload: { op?: unknown; d?: any };
    try {
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    this.received.push({ op: Number(payload.op), d: payload.d, at: Date.now() });
    switch (payload.op) {
      case 1:
        return this.send(ws, { op: 11, d: null, s: null, t: null });
      case 2:
        return this.identify(ws, payload.d);
      case 6:
        return this.resume(ws, payload.d);
      case 3:
        return; // presence update: recorded above, nothing to answer
      default:
        return;
    }
  }

  private identify(ws: WebSocket, d: { token?: unknown; intents?: unknown } | undefined): void {
    if (d?.token !== this.deps.token()) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const session: Session = { id: `fake-session-${++this.sessionCounter}`, intents: Number(d.intents ?? 0), seq: 0 };
    this.sessions.set(session.id, session);
    this.live.set(ws, session);
    this.identifies++;
    const guilds = this.deps.guilds();
    const bot = this.deps.botUser();
    this.send(ws, {
      op: 0,
      t: 'READY',
      s: ++session.seq,
      d: {
        v: 10,
        user: bot,
        guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
        session_id: session.id,
        resume_gateway_url: this.deps.url(),
        application: { id: bot.id, flags: 0 },
        shard: [0, 1],
        private_channels: [],
      },
    });
    for (const guild of guilds) this.send(ws, { op: 0, t: 'GUILD_CREATE', s: ++session.seq, d: guildCreate(guild) });
  }

  private resume(ws: WebSocket, d: { token?: unknown; session_id?: unknown } | undefined): void {
    if (d?.token !== this.deps.token()) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session) {
      this.send(ws, { op: 9, d: false, s: null, t: null });
      return;
    }
    this.live.set(ws, session);
    this.resumes++;
    this.send(ws, { op: 0, t: 'RESUMED', s: ++session.seq, d: {} });
  }

  private send(ws: WebSocket, payload: Record<string, unknown>): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }
}
