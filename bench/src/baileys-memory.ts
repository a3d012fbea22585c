/**
 * Memory per connected WhatsApp (Baileys) instance: links N instances (default 50) to the fake
 * WhatsApp Web server, lets them settle, and reports the growth of RSS and of the JS heap divided
 * by N. The fake runs in this process too, so its per-connection state is included: the figure
 * is an upper bound for the hub alone.
 *
 *   npm run bench:baileys-memory -w @omni/bench          # BAILEYS_INSTANCES=50
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestKernel } from '@omni/plugin-sdk/testing';
import { FakeWhatsAppWeb, trustFakeWhatsAppWeb } from '@omni/plugin-sdk/testing/whatsapp-web';
import baileysPlugin from '@omni/channel-whatsapp-baileys';

const INSTANCES = Number(process.env.BAILEYS_INSTANCES ?? 50);
const MB = 1024 * 1024;

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
};

async function main() {
  if (!(globalThis as { gc?: () => void }).gc) console.warn('run with --expose-gc for stable figures');
  const fake = await FakeWhatsAppWeb.start();
  await trustFakeWhatsAppWeb(fake);
  const tk = await startTestKernel({ plugins: [baileysPlugin] });
  try {
    // One instance first, so module loading and first-use caches are not counted per instance.
    await link(tk, fake, 0);
    await sleep(1_000);
    const before = await settle();
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 1; i <= INSTANCES; i++) ids.push(await link(tk, fake, i));
    await sleep(3_000);
    const after = await settle();
    const connected = ids.filter((id) => tk.kernel.connections.status(id).state === 'connected').length;
    const per = (a: number, b: number) => (b - a) / INSTANCES / MB;
    const result = {
      instances: INSTANCES,
      linkSeconds: (Date.now() - started) / 1000,
      rssPerInstanceMb: Number(per(before.rss, after.rss).toFixed(2)),
      heapPerInstanceMb: Number(per(before.heap, after.heap).toFixed(2)),
      externalPerInstanceMb: Number(per(before.external, after.external).toFixed(2)),
      rssTotalMb: Number((after.rss / MB).toFixed(0)),
      connected,
      fakeConnectionsOpen: fake.connections.filter((c) => c.open).length,
      node: process.version,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await tk.stop();
    await fake.close();
  }
}

/** Creates an instance and links it by QR; resolves when it is connected. */
async function link(tk: Awaited<ReturnType<typeof startTestKernel>>, fake: FakeWhatsAppWeb, n: number): Promise<string> {
  const phone = `1555${String(n).padStart(7, '0')}`;
  const instance = await tk.createInstance({ channel: 'whatsapp-baileys', name: `bench-wa-${n}`, channelConfig: { websocketUrl: fake.url } });
  const deadline = Date.now() + 30_000;
  let scanned = false;
  for (;;) {
    const status = tk.kernel.connections.status(instance.id);
    if (status.state === 'connected') return instance.id;
    if (status.qr && !scanned) {
      fake.scanQr(status.qr.code, phone);
      scanned = true;
    }
    if (Date.now() > deadline) throw new Error(`instance ${n} stayed ${status.state}`);
    await sleep(20);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
