import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify';

/** A DKIM key made by a test, with the TXT record a real domain would publish for it. */
export interface TestDkimKey {
  privateKeyPem: string;
  /** `v=DKIM1; k=…; p=…` */
  dnsRecord: string;
}

export function aDkimKey(kind: 'rsa' | 'ed25519', rsaBits = 2048): TestDkimKey {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: rsaBits }) : generateKeyPairSync('ed25519');
  return { privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), dnsRecord: dnsRecordFor(kind, pair.publicKey) };
}

function dnsRecordFor(kind: 'rsa' | 'ed25519', publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 8463: an Ed25519 record carries the bare 32-byte key, not the SubjectPublicKeyInfo.
  const p = kind === 'rsa' ? der.toString('base64') : der.subarray(der.length - 32).toString('base64');
  return `v=DKIM1; k=${kind}; p=${p}`;
}

export interface DkimCheck {
  status: string;
  signingDomain?: string;
  signedHeaders: string[];
  algorithm?: string;
}

/**
 * mailauth's verifier, independent of how we signed, answering the DNS query for
 * <selector>._domainkey.<domain> with the test's key and nothing else.
 */
export async function verifyDkim(raw: Buffer | string, selector: string, domain: string, key: TestDkimKey): Promise<DkimCheck[]> {
  const expected = `${selector}._domainkey.${domain}`.toLowerCase();
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name.toLowerCase() === expected) return [[key.dnsRecord]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
  const result = await dkimVerify(raw, { resolver });
  return result.results.map((entry) => ({
    status: entry.status.result,
    signingDomain: entry.signingDomain,
    algorithm: entry.algo,
    signedHeaders: entry.signingHeaders?.keys?.split(':').map((name: string) => name.trim().toLowerCase()) ?? [],
  }));
}
