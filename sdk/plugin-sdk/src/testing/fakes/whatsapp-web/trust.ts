import { writeFile } from 'node:fs/promises';
import { globalAgent } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rootCertificates } from 'node:tls';
import { WA_CERT_DETAILS } from 'baileys';
import type { FakeWhatsAppWeb } from './fake-whatsapp-web.js';
import { FAKE_MEDIA_CERT_PEM } from './test-certificate.js';

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
type DispatcherCtor = new (options: { connect: { ca: string[] } }) => unknown;

/**
 * Makes this (test) process accept the fake: pins baileys' Noise root to the fake's test root key,
 * and trusts the fake media host's self-signed certificate for uploads (node:https) and downloads
 * (global fetch). Test-only: it weakens nothing outside this process, but never call it in production.
 */
export async function trustFakeWhatsAppWeb(fake: FakeWhatsAppWeb): Promise<void> {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(fake.root.public);
  const ca = [...rootCertificates, FAKE_MEDIA_CERT_PEM];
  globalAgent.options.ca = ca;
  // Node's fetch keeps its dispatcher on globalThis; one request creates it, and its class builds ours.
  const globals = globalThis as Record<symbol, unknown>;
  if (!globals[DISPATCHER]) await fetch(fake.url.replace('ws://', 'http://')).then((r) => r.body?.cancel()).catch(() => undefined);
  const current = globals[DISPATCHER] as { constructor: DispatcherCtor } | undefined;
  if (!current) throw new Error('could not reach the fetch dispatcher to trust the fake media certificate');
  globals[DISPATCHER] = new current.constructor({ connect: { ca } });
}

/**
 * Environment for a child process (e.g. a spawned `omni start`) that must talk to the fake: a
 * `--import` preload (written into `dir`) that pins baileys' Noise root to the fake's test root,
 * and NODE_EXTRA_CA_CERTS for the media host's certificate. Merge it into the child's env.
 */
export async function processEnvForFakeWhatsAppWeb(fake: FakeWhatsAppWeb, dir: string): Promise<Record<string, string>> {
  const certFile = join(dir, 'fake-whatsapp-media-cert.pem');
  await writeFile(certFile, FAKE_MEDIA_CERT_PEM);
  // The very module file the child's plugin will import, so both share one WA_CERT_DETAILS.
  const baileys = pathToFileURL(createRequire(import.meta.url).resolve('baileys')).href;
  const preload = join(dir, 'fake-whatsapp-noise-root.mjs');
  const root = Buffer.from(fake.root.public).toString('base64');
  await writeFile(preload, `import { WA_CERT_DETAILS } from ${JSON.stringify(baileys)};\nWA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(${JSON.stringify(root)}, 'base64');\n`);
  return { NODE_OPTIONS: `--import ${pathToFileURL(preload).href}`, NODE_EXTRA_CA_CERTS: certFile };
}
