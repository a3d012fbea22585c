import { Agent, request } from 'node:http';

export interface JsonResponse {
  status: number;
  body: any;
}

/** A JSON-over-HTTP client on one keep-alive connection pool: no TCP handshake per message. */
export class HttpClient {
  readonly agent: Agent;

  constructor(maxSockets = 64) {
    this.agent = new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 });
  }

  get(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return this.send('GET', url, undefined, headers);
  }

  post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return this.send('POST', url, JSON.stringify(body), headers);
  }

  send(method: string, url: string, payload: string | undefined, headers: Record<string, string>): Promise<JsonResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
