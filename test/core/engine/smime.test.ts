import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyFailureText } from '../../../main/contract';
import { decode } from '../../../main/core/engine/der';
import { decodeBase64, getHeader, parseMessage, parsePart, splitMultipart } from '../../../main/core/engine/mime';
import { openPkcs12, type SigningIdentity } from '../../../main/core/engine/pkcs12';
import { signMessage, signMessagePartsAsync, verifyMessage } from '../../../main/core/engine/smime';
import { CORPUS } from '../../helpers/corpus';
import { entityLeaves, messageLeaves } from '../../helpers/mime-tree';
import { nssVerify, opensslVerify, TestPki } from '../../helpers/pki';

let pki: TestPki;
let rsa: SigningIdentity;
let ec: SigningIdentity;
let root: X509Certificate;

beforeAll(() => {
  pki = new TestPki();
  rsa = openPkcs12(readFileSync(pki.p12(pki.leaf(), { chain: 'intermediate' })), 'secret');
  ec = openPkcs12(readFileSync(pki.p12(pki.leaf({ key: 'p384' }), { chain: 'intermediate' })), 'secret');
  root = new X509Certificate(pki.root.certPem);
});
afterAll(() => pki.cleanup());

function parts(signed: Buffer): { content: Buffer; signature: Buffer } {
  const p = parseMessage(signed);
  const boundary = /boundary="([^"]+)"/.exec(getHeader(p.headers, 'content-type')!)![1]!;
  const split = splitMultipart(p.body, boundary);
  return { content: split.parts[0]!, signature: decodeBase64(parsePart(split.parts[1]!).body) };
}

function lines(b: Buffer): string[] {
  return b.toString('latin1').split('\r\n');
}

describe('signed output is valid for third-party verifiers and keeps the content', () => {
  for (const [name, message] of Object.entries(CORPUS)) {
    it(name, () => {
      const signed = signMessage(message, rsa);
      const path = pki.write('signed.eml', signed);
      // OpenSSL with only the root as trust anchor: the chain must come from the signature
      const o = opensslVerify(pki, path);
      expect(o.stderr).toBe('');
      expect(o.ok).toBe(true);
      // NSS, what Thunderbird uses
      const { content, signature } = parts(signed);
      expect(nssVerify(pki, content, signature).ok).toBe(true);
      // our own verifier agrees
      const v = verifyMessage(signed, { ca: [root] });
      expect(v).toMatchObject({
        valid: true,
        signerEmail: 'alice@example.com',
        fromMatches: true,
        chainVerified: true,
      });
      // what the recipient sees is what was sent
      expect(entityLeaves(o.content)).toEqual(messageLeaves(message));
      // 7-bit, CRLF, short lines, no trailing white space: safe through any MTA
      for (const line of lines(signed)) {
        expect(line.length).toBeLessThanOrEqual(998);
        expect(line).not.toMatch(/[ \t]$/);
        expect(line).not.toMatch(/^(From |\.$)/);
      }
      expect(signed.toString('latin1')).toMatch(/^[\x00-\x7f]*$/);
      expect(signed.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    });
  }

  it('keeps outer header fields byte for byte and moves Content-* into the signed part', () => {
    const msg = CORPUS['multipart/mixed with binary attachments']!;
    const signed = signMessage(msg, rsa).toString('latin1');
    const outer = signed.slice(0, signed.indexOf('\r\n\r\n'));
    expect(outer).toContain(
      'From: Alice Example <alice@example.com>\r\nTo: bob@example.org\r\nSubject: test\r\nDate: Sat, 28 Nov 2026 10:00:00 +0900\r\nMessage-ID: <t1@example.com>\r\nMIME-Version: 1.0\r\n',
    );
    expect(outer).toMatch(
      /Content-Type: multipart\/signed; protocol="application\/pkcs7-signature";\r\n micalg=sha-256; boundary="/,
    );
    expect(outer).not.toContain('multipart/mixed');
    const { content } = parts(Buffer.from(signed, 'latin1'));
    expect(content.toString('latin1')).toMatch(/^Content-Type: multipart\/mixed;\r\n boundary="mix"\r\n\r\n/);
  });

  it('signs with ECDSA P-384 and announces micalg=sha-384', () => {
    const signed = signMessage(CORPUS['UTF-8 8bit']!, ec);
    expect(signed.toString('latin1')).toContain('micalg=sha-384');
    expect(opensslVerify(pki, pki.write('ec.eml', signed)).ok).toBe(true);
    const { content, signature } = parts(signed);
    expect(nssVerify(pki, content, signature).ok).toBe(true);
  });

  it("signs the relay's way (RSA on the thread pool, ECDSA in place) to the same bytes, and ECDSA and PSS verify", async () => {
    const msg = CORPUS['multipart/mixed with binary attachments']!;
    const opts = { now: new Date('2026-11-28T01:00:00Z'), boundary: 'b1' };
    // RSA PKCS#1 v1.5 is deterministic: both paths give the same message
    const viaPool = await signMessagePartsAsync(msg, rsa, opts);
    expect(Buffer.concat(viaPool)).toEqual(signMessage(msg, rsa, opts));
    // randomised schemes cannot be compared: the verifiers judge them
    for (const [id, o] of [
      [ec, {}],
      [rsa, { pss: true }],
    ] as const) {
      const signed = Buffer.concat(await signMessagePartsAsync(msg, id, o));
      expect(opensslVerify(pki, pki.write('pool.eml', signed)).ok).toBe(true);
      const { content, signature } = parts(signed);
      expect(nssVerify(pki, content, signature).ok).toBe(true);
    }
  });

  it('carries sorted signed attributes with smimeCapabilities and signingCertificateV2', () => {
    const { signature } = parts(signMessage(CORPUS['CRLF plain text']!, rsa));
    const p7 = pki.write('sig.p7s', signature);
    const dump = pki.openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', p7]).toString();
    for (const attr of [
      'contentType',
      'signingTime',
      'messageDigest',
      'S/MIME Capabilities',
      'id-smime-aa-signingCertificateV2',
    ])
      expect(dump).toContain(attr);
    // two certificates: signer and intermediate, no root
    expect(dump.match(/cert_info:/g)).toHaveLength(2);
  });

  it('DER-sorts the signed attributes (RFC 5652 §5.4, X.690 §11.6)', () => {
    for (const id of [rsa, ec]) {
      const { signature } = parts(signMessage(CORPUS['CRLF plain text']!, id));
      const signerInfo = decode(signature).child(1).child(0).children().at(-1)!.child(0);
      const attrs = signerInfo
        .children()
        .find((c) => c.tag === 0xa0)!
        .children()
        .map((a) => a.raw());
      expect(attrs).toHaveLength(5);
      expect([...attrs].sort(Buffer.compare)).toEqual(attrs);
    }
  });

  it('an untrusted root is not accepted by the oracles (the test can fail)', () => {
    const { content, signature } = parts(signMessage(CORPUS['CRLF plain text']!, rsa));
    expect(nssVerify(pki, content, signature, false).ok).toBe(false);
    const other = new TestPki('Other');
    try {
      expect(
        verifyMessage(signMessage(CORPUS['CRLF plain text']!, rsa), { ca: [new X509Certificate(other.root.certPem)] }),
      ).toMatchObject({ valid: false, chainVerified: false });
    } finally {
      other.cleanup();
    }
  });
});

describe('tampering is detected', () => {
  it('a one-byte change in the signed part fails every verifier', () => {
    const signed = signMessage(CORPUS['multipart/alternative']!, rsa);
    const text = signed.toString('latin1');
    const at = text.indexOf('Preamble') >= 0 ? text.indexOf('HTML') : text.indexOf('plain');
    const tampered = Buffer.from(signed);
    tampered[at] = tampered[at]! ^ 0x01;
    expect(opensslVerify(pki, pki.write('t.eml', tampered)).ok).toBe(false);
    const { content, signature } = parts(tampered);
    expect(nssVerify(pki, content, signature).ok).toBe(false);
    const v = verifyMessage(tampered, { ca: [root] });
    expect(v.valid).toBe(false);
    expect(v.failure).toEqual({ code: 'content-changed', params: {} });
    expect(verifyFailureText(v.failure!)).toMatch(/message digest does not match/);
  });

  it('a forged ESS certificate hash is refused by our verifier', () => {
    const signed = signMessage(CORPUS['CRLF plain text']!, rsa);
    const { signature } = parts(signed);
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const hash = createHash('sha256').update(rsa.certificate.raw).digest();
    const idx = signature.indexOf(hash);
    expect(idx).toBeGreaterThan(0);
    const forged = Buffer.from(signature);
    forged[idx] = forged[idx]! ^ 0xff;
    const b64 = signed.toString('latin1').split('Cryptographic Signature\r\n\r\n')[1]!.split('\r\n--')[0]!;
    const forgedB64 = forged.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
    const forgedMsg = Buffer.from(signed.toString('latin1').replace(b64, forgedB64), 'latin1');
    const f = verifyMessage(forgedMsg).failure!;
    expect(f.code).toBe('ess-hash-mismatch');
    expect(verifyFailureText(f)).toMatch(/ESS signing-certificate hash/);
  });

  it('refuses to sign a message that is already signed or encrypted', () => {
    const signed = signMessage(CORPUS['CRLF plain text']!, rsa);
    expect(() => signMessage(signed, rsa)).toThrow(/already S\/MIME \(multipart\/signed\)/);
    const enc = Buffer.from(
      'From: a@example.com\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n\nMIAG\n',
    );
    expect(() => signMessage(enc, rsa)).toThrow(/already S\/MIME \(application\/pkcs7-mime\)/);
  });

  it('refuses input that is not an RFC 5322 message', () => {
    expect(() => signMessage(Buffer.from('this is not a mail\nat all\n'), rsa)).toThrow(
      /not an RFC 5322 message: line 1 is not a header field/,
    );
    expect(() => signMessage(Buffer.from(''), rsa)).toThrow(/no header fields/);
    expect(() => signMessage(Buffer.from(' folded: first\n\nx'), rsa)).toThrow(/continues a header field/);
  });

  it('verifies a signed message that was saved with LF line ends', () => {
    const signed = signMessage(CORPUS['LF-only plain text']!, rsa);
    const lf = Buffer.from(signed.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect(verifyMessage(lf, { ca: [root] }).valid).toBe(true);
  });
});

// Random MIME trees: multipart nesting, text in several encodings, binary leaves.
const word = fc.stringMatching(/^[A-Za-z0-9 .,;=\-]{0,30}$/);
const textLine = fc.oneof(
  word,
  fc.constantFrom('From me', '.', ' ', 'trailing  ', 'ünï', 'こんにちは', 'x'.repeat(1200), '=3D', '\t'),
);
const textBody = fc.array(textLine, { maxLength: 8 }).map((ls) => ls.join('\n') + '\n');
type Tree =
  | { kind: 'text'; cte: string; body: string }
  | { kind: 'bin'; data: Uint8Array }
  | { kind: 'multi'; sub: string; parts: Tree[] };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('text' as const),
      cte: fc.constantFrom('7bit', '8bit', 'quoted-printable', 'base64', ''),
      body: textBody,
    }),
    fc.record({ kind: fc.constant('bin' as const), data: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({
      kind: fc.constant('multi' as const),
      sub: fc.constantFrom('mixed', 'alternative', 'related'),
      parts: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).node;

let counter = 0;
function render(t: Tree): string {
  if (t.kind === 'text') {
    const bytes = Buffer.from(t.body, 'utf8');
    const encoded =
      t.cte === 'base64'
        ? bytes.toString('base64').replace(/.{76}/g, '$&\n') + '\n'
        : t.cte === 'quoted-printable'
          ? bytes
              .toString('latin1')
              .replace(/[=\x80-\xff]/g, (c) => '=' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
          : bytes.toString('latin1');
    return `Content-Type: text/plain; charset=utf-8\n${t.cte ? `Content-Transfer-Encoding: ${t.cte}\n` : ''}\n${encoded}`;
  }
  if (t.kind === 'bin') {
    return `Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${Buffer.from(t.data).toString('base64').replace(/.{76}/g, '$&\n')}\n`;
  }
  const b = `b${++counter}x`;
  return `Content-Type: multipart/${t.sub}; boundary="${b}"\n\n${t.parts.map((p) => `--${b}\n${render(p)}\n`).join('')}--${b}--\n`;
}

describe('property: random MIME trees survive signing', () => {
  it('sign → openssl cms -verify → same content', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const message = Buffer.from(
          `From: alice@example.com\nTo: bob@example.org\nSubject: p\nMIME-Version: 1.0\n${render(t)}`,
          'latin1',
        );
        const signed = signMessage(message, rsa);
        const path = pki.write('prop.eml', signed);
        const o = opensslVerify(pki, path);
        if (!o.ok) writeFileSync(pki.path('failed.eml'), message);
        expect(o.stderr).toBe('');
        expect(entityLeaves(o.content)).toEqual(messageLeaves(message));
      }),
      { numRuns: 100, seed: Number(process.env.FC_SEED ?? 20261128) },
    );
  });
});
