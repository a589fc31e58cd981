import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digestForIdentity,
  MICALG,
  prepareSigner,
  signDetached,
  verifySignedData,
} from '../../../main/core/engine/cms';
import { ctx, decode, oid, seq, smallInt, tlv } from '../../../main/core/engine/der';
import { OID } from '../../../main/core/engine/oids';
import { openPkcs12, type SigningIdentity } from '../../../main/core/engine/pkcs12';
import { TestPki } from '../../helpers/pki';

let pki: TestPki;
let rsa: SigningIdentity;
let p384: SigningIdentity;
const NOW = new Date('2026-11-28T10:00:00Z');

beforeAll(() => {
  pki = new TestPki();
  rsa = openPkcs12(readFileSync(pki.p12(pki.leaf(), { chain: 'intermediate' })), 'secret');
  p384 = openPkcs12(readFileSync(pki.p12(pki.leaf({ key: 'p384' }), { chain: 'intermediate' })), 'secret');
});
afterAll(() => pki.cleanup());

const content = Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n');

function sign(id: SigningIdentity, data = content): Buffer {
  const signer = prepareSigner(id);
  return signDetached(signer, createHash(signer.digest).update(data).digest(), NOW);
}

/** Replaces one DER element of `der` (found by its bytes) with another of the same length. */
function patch(der: Buffer, find: Buffer, replace: Buffer): Buffer {
  const at = der.indexOf(find);
  expect(at).toBeGreaterThan(0);
  return Buffer.concat([der.subarray(0, at), replace, der.subarray(at + find.length)]);
}

describe('CMS SignedData (RFC 5652)', () => {
  it('picks the digest from the key: SHA-256 for RSA and P-256, SHA-384 for P-384, with the matching micalg', () => {
    expect(digestForIdentity(rsa)).toBe('sha256');
    expect(digestForIdentity(p384)).toBe('sha384');
    expect(MICALG[digestForIdentity(p384)]).toBe('sha-384');
    const r = verifySignedData(sign(p384), content);
    expect(r).toMatchObject({ valid: true, digest: 'sha384', essChecked: true, signingTime: NOW });
  });

  it('verifies what it signs, for RSA and ECDSA, and names the signer among the certificates it carries', () => {
    for (const id of [rsa, p384]) {
      const r = verifySignedData(sign(id), content);
      expect(r.valid).toBe(true);
      expect(r.signer?.fingerprint256).toBe(id.certificate.fingerprint256);
      expect(r.certificates.map((c) => c.fingerprint256)).toEqual(
        [id.certificate, ...id.chain].map((c) => c.fingerprint256),
      );
    }
  });

  it('names each failure with its own code', () => {
    const der = sign(rsa);
    expect(verifySignedData(der, Buffer.from('other content')).failure?.code).toBe('content-changed');
    expect(verifySignedData(der, null).failure?.code).toBe('no-signed-content');
    const sig = decode(der).child(1).child(0).children().at(-1)!.child(0).children().at(-1)!;
    const flipped = Buffer.from(sig.content());
    flipped[10] = flipped[10]! ^ 1;
    expect(verifySignedData(patch(der, sig.raw(), tlv(0x04, flipped)), content).failure?.code).toBe('bad-signature');
    const notData = seq(oid(OID.data), ctx(0, seq(smallInt(1))));
    expect(verifySignedData(notData, content).failure?.code).toBe('not-signed-data');
  });

  it('throws SIGNATURE_MALFORMED, never anything else, for bytes that are not CMS', () => {
    for (const junk of [Buffer.alloc(0), Buffer.from([0x30, 0x03, 0x06, 0x01]), Buffer.from('not der at all')]) {
      expect(() => verifySignedData(junk, content)).toThrow(expect.objectContaining({ code: 'SIGNATURE_MALFORMED' }));
    }
  });
});
