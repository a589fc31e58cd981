/**
 * Inputs `npm run fuzz` found that escaped as raw exceptions instead of one-line reasons, rebuilt
 * here from fresh fixtures (findings hold throw-away keys and are not committed).
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPkcs12 } from '../../../main/core/engine/pkcs12';
import { signMessage, verifyMessage } from '../../../main/core/engine/smime';
import { pemCertificates } from '../../../main/core/engine/x509';
import { TestPki, type Issued } from '../../helpers/pki';
import { buildPkcs12 } from './p12-builder';

let pki: TestPki;
let leaf: Issued;
beforeAll(() => {
  pki = new TestPki();
  leaf = pki.leaf({ emails: ['fuzz@example.com'] });
});
afterAll(() => pki.cleanup());

const der = (pemPath: string) =>
  Buffer.from(readFileSync(pemPath, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');

describe('fuzz findings, fixed', () => {
  it('a certificate whose public key cannot be read is refused as damaged, not thrown as an OpenSSL error', () => {
    const cert = der(leaf.certPath);
    const rsa = Buffer.from('06092a864886f70d010101', 'hex');
    const at = cert.indexOf(rsa);
    expect(at).toBeGreaterThan(0);
    const broken = Buffer.from(cert);
    broken[at + rsa.length - 1] = 0x7f; // an unknown public-key algorithm
    const key = createPrivateKey(readFileSync(leaf.keyPath)).export({ type: 'pkcs8', format: 'der' });
    const p12 = buildPkcs12({ password: 'secret', key, certs: [broken], certEncryption: null, mac: null });
    expect(() => openPkcs12(p12, 'secret', 'f.p12')).toThrow(
      expect.objectContaining({ code: 'P12_CORRUPT', message: 'f.p12 contains a certificate that cannot be read' }),
    );
  });

  it('a signature carrying a certificate with an impossible validity date is malformed, not a RangeError', () => {
    const id = openPkcs12(readFileSync(pki.p12(leaf, { password: 'secret' })), 'secret');
    const signed = signMessage(Buffer.from('From: fuzz@example.com\r\n\r\nhi\r\n'), id);
    const text = signed.toString('latin1');
    const b64 = text.split('Cryptographic Signature\r\n\r\n')[1]!.split('\r\n--')[0]!;
    const sig = Buffer.from(b64.replace(/\s/g, ''), 'base64');
    const certDer = id.certificate.raw;
    const inSig = sig.indexOf(certDer);
    expect(inSig).toBeGreaterThan(0);
    // the second UTCTime of the certificate is notAfter: make its month 13
    const first = sig.indexOf(0x17, inSig);
    const second = sig.indexOf(0x17, first + 2 + sig[first + 1]!);
    sig[second + 4] = 0x31;
    sig[second + 5] = 0x33;
    const forged = Buffer.from(text.replace(b64, sig.toString('base64').replace(/.{76}/g, '$&\r\n')), 'latin1');
    let outcome: string;
    try {
      const r = verifyMessage(forged);
      outcome = r.valid ? 'valid' : 'invalid';
    } catch (e) {
      outcome = (e as { code?: string }).code ?? String(e);
    }
    expect(['SIGNATURE_MALFORMED', 'invalid']).toContain(outcome);
  });

  it('reads PEM in one pass: many BEGIN lines and no END cost no more than one scan', () => {
    const text = '-----BEGIN CERTIFICATE-----\nAAAA\n'.repeat(100_000);
    const t = performance.now();
    expect(pemCertificates(text)).toEqual([]);
    expect(performance.now() - t).toBeLessThan(2000);
    const pem = readFileSync(leaf.certPath, 'utf8');
    expect(pemCertificates(`junk\n-----BEGIN CERTIFICATE-----\nbroken\n${pem}\n${pem}`)).toHaveLength(2);
  });
});
