import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestKernel, stubChannel, type TestKernel, type TestResponse } from '@omni/plugin-sdk/testing';
import { entities } from '../db/entities/index.js';
import { createHttpApp } from './create-http-app.js';
import type { JsonRoute, RouteDefinition } from './route.js';

const { plugin: channel } = stubChannel({ id: 'badinput', instanceConfig: z.object({ token: z.string().optional() }) });

/** Tables whose rows legitimately change with every request (the audit trail of the key making them). */
const CHANGING = new Set(['ApiKeyAudit', 'ApiKey']);

const HOSTILE_IDS = ['..%2F..%2Fsecret.key', "x'%3B DROP TABLE instances%3B--", '%00', 'a'.repeat(3000), '%E2%80%AE%F0%9F%98%80', '1 OR 1=1'];

type BodyRoute = JsonRoute<z.ZodType, z.ZodType, z.ZodType, z.ZodType> & { body: z.ZodType };
const hasBody = (r: RouteDefinition): r is BodyRoute => ['post', 'put', 'patch'].includes(r.method) && !('raw' in r) && r.body !== undefined;

describe('bad input on every route', () => {
  let tk: TestKernel;
  let routes: readonly RouteDefinition[];
  let before: Record<string, number>;
  let instanceId: string;
  const failures: string[] = [];

  const counts = async () => {
    const em = tk.db.fork();
    const out: Record<string, number> = {};
    for (const e of entities) if (!CHANGING.has(e.meta.className)) out[e.meta.className] = await em.count(e.meta.className, {});
    return out;
  };
  const check = (what: string, res: TestResponse, allowSuccess = false) => {
    const ok = res.status >= 400 && res.status < 500 ? typeof res.body?.error?.code === 'string' && typeof res.body.error.message === 'string' : allowSuccess && res.status < 400;
    if (!ok) failures.push(`${what} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  };
  const concrete = (path: string, value: string) => path.replace(/:instanceId|:id(?=\/|$)/g, instanceId).replace(/:[A-Za-z]+/g, value);

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [channel], kernel: { bodyLimit: '64kb', rateLimit: 0 } });
    instanceId = (await tk.createInstance({ channel: 'badinput', name: 'target' })).id;
    routes = createHttpApp(tk.kernel).routes;
    before = await counts();
  });
  afterAll(() => tk?.stop());

  it('answers malformed JSON, wrong types, missing and unknown fields, huge bodies and wrong content types with a 4xx envelope', async () => {
    for (const route of routes.filter(hasBody)) {
      const path = concrete(route.path, 'nope');
      const name = `${route.method.toUpperCase()} ${route.path}`;
      check(`${name} malformed JSON`, await tk.http.request(route.method.toUpperCase(), path, { rawBody: '{"a": ', headers: { 'content-type': 'application/json' } }));
      for (const wrong of [[1, 2], 'text', 42, null]) check(`${name} body ${JSON.stringify(wrong)}`, await tk.http.request(route.method.toUpperCase(), path, { body: wrong }));
      check(`${name} unknown and missing fields`, await tk.http.request(route.method.toUpperCase(), path, { body: { unexpected: { nested: true }, __proto__: { polluted: 1 } } }), route.body.safeParse({}).success);
      check(`${name} wrong field types`, await tk.http.request(route.method.toUpperCase(), path, { body: { name: 12, instanceId: [], text: {}, scopes: 'x', value: undefined, channel: 1 } }), route.body.safeParse({}).success);
      check(`${name} huge body`, await tk.http.request(route.method.toUpperCase(), path, { body: { blob: 'x'.repeat(200_000) } }));
      check(`${name} form body`, await tk.http.request(route.method.toUpperCase(), path, { rawBody: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    }
    expect(failures).toEqual([]);
  });

  it('answers hostile ids in every path parameter with a 4xx envelope', async () => {
    for (const route of routes.filter((r) => r.path.includes(':'))) {
      for (const hostile of HOSTILE_IDS) {
        const path = route.path.replace(/:[A-Za-z]+/g, hostile);
        const res = await tk.http.request(route.method.toUpperCase(), path, hasBody(route) ? { body: {} } : {});
        // An opaque id that matches nothing may answer an empty list; it must never break the server.
        check(`${route.method.toUpperCase()} ${route.path} with ${hostile.slice(0, 30)}`, res, route.method === 'get');
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers wrong query types with a 4xx envelope', async () => {
    for (const route of routes.filter((r) => r.method === 'get' && !('raw' in r) && r.query)) {
      const res = await tk.http.get(`${concrete(route.path, 'nope')}?limit=-1&cursor=%00%FF&since=yesterday&instanceId[]=x&status=bogus&olderThanDays=abc`);
      check(`GET ${route.path} bad query`, res, true);
      expect(res.status).toBeLessThan(500);
    }
    expect(failures).toEqual([]);
  });

  it('left the database as it was', async () => {
    expect(await counts()).toEqual(before);
  });
});
