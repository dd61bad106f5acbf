import type { DKIMSignOptions } from 'mailauth';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import { DkimConfig } from '../config/config';

/**
 * The header fields every signature covers (CONTRACT.md "Emails"), as the colon-separated
 * string mailauth needs: given an array, older releases silently fell back to their own
 * default, which leaves List-Unsubscribe-Post out — and RFC 8058 wants it signed.
 * From is listed twice so a From field added in transit breaks the signature (RFC 6376 8.15).
 */
export const SIGNED_HEADERS = [
  'From',
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'MIME-Version',
  'Content-Type',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'Feedback-ID',
].join(':');

/** Adds a DKIM-Signature (relaxed/relaxed) to finished MIME; mailauth does the canonicalisation and the signing. */
export class DkimSigner {
  constructor(private readonly config: DkimConfig) {}

  async sign(raw: Buffer): Promise<Buffer> {
    const result = await dkimSign(raw, {
      canonicalization: 'relaxed/relaxed',
      headerList: SIGNED_HEADERS,
      signatureData: [{ signingDomain: this.config.domain, selector: this.config.selector, privateKey: this.config.privateKey, algorithm: this.config.algorithm }],
    } as DKIMSignOptions);
    if (result.errors.length > 0 || !result.signatures) {
      throw new Error(`DKIM signing failed: ${result.errors.map((entry) => String((entry.err as Error | undefined)?.message ?? entry.err)).join('; ')}`);
    }
    return Buffer.concat([Buffer.from(result.signatures, 'latin1'), raw]);
  }
}
