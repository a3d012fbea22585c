import { createHmac } from 'node:crypto';
import { Curve, proto, WA_ADV_ACCOUNT_SIG_PREFIX, type BinaryNode, type KeyPair } from 'baileys';

/** A phone account the fake pairs devices to. */
export interface FakeAccount {
  /** Digits only, e.g. `15551234567`. */
  phone: string;
  /** The paired device's JID, e.g. `15551234567:7@s.whatsapp.net`. */
  jid: string;
  lid: string;
  accountKey: KeyPair;
}

/** What a WhatsApp pairing QR carries: `ref,noiseKey,identityKey,advSecret,platform`. */
export interface PairingQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
}

export function parsePairingQr(qr: string): PairingQr {
  const data = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv] = data.split(',');
  if (!ref || !noise || !identity || !adv) throw new Error(`not a WhatsApp pairing QR: ${qr.slice(0, 40)}`);
  return { ref, noiseKey: Buffer.from(noise, 'base64'), identityKey: Buffer.from(identity, 'base64'), advSecret: Buffer.from(adv, 'base64') };
}

/**
 * The Noise certificate chain: an intermediate signed by the test root, a leaf for the server's
 * static key signed by the intermediate. Clients accept it once WA_CERT_DETAILS.PUBLIC_KEY is the root.
 */
export function buildNoiseCertChain(root: KeyPair, serverStatic: KeyPair): Uint8Array {
  const intermediate = Curve.generateKeyPair();
  const Details = proto.CertChain.NoiseCertificate.Details;
  const intermediateDetails = Details.encode({ serial: 1, issuerSerial: 0, key: intermediate.public }).finish();
  const leafDetails = Details.encode({ serial: 2, issuerSerial: 1, key: serverStatic.public }).finish();
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
}

/** The phone's answer to a scanned QR: a device identity signed by the account key and HMAC'd with the QR's secret. */
export function buildPairSuccess(qr: PairingQr, account: FakeAccount): BinaryNode {
  const t = Math.floor(Date.now() / 1000);
  const deviceDetails = proto.ADVDeviceIdentity.encode({ rawId: 12345, timestamp: t, keyIndex: 1 }).finish();
  const accountSignature = Curve.sign(account.accountKey.private, Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, deviceDetails, qr.identityKey]));
  const details = proto.ADVSignedDeviceIdentity.encode({ details: deviceDetails, accountSignatureKey: account.accountKey.public, accountSignature }).finish();
  const hmac = createHmac('sha256', qr.advSecret).update(details).digest();
  return {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'result', id: `pair-success-${t}`, t: String(t) },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: proto.ADVSignedDeviceIdentityHMAC.encode({ details, hmac }).finish() },
          { tag: 'platform', attrs: { name: 'android' } },
          { tag: 'device', attrs: { jid: account.jid, lid: account.lid } },
        ],
      },
    ],
  };
}
