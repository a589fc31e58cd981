/**
 * H applied n times to a digest-sized input: the inner loop of the PKCS#12 key derivation
 * (RFC 7292 App. B.2, step 6: A = H^c(D || I)). NSS writes PKCS#12 files with 600 000
 * iterations; one `createHash` call per iteration costs about 4 µs in Node, so a file would
 * take seconds to open. Every input after the first is exactly one digest long, so each
 * step is a single compression of one padded block: done here for SHA-1 and SHA-256 (four
 * times faster than a call per step), natively for SHA-384/512. Checked against Node's
 * hashes in the tests.
 */
import { createHash } from 'node:crypto';
import type { DigestName } from './oids';

const K256 = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ].map((x) => x | 0),
);

const IV256 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const IV224 = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];

function readWords(b: Buffer, words: number): Int32Array {
  const out = new Int32Array(words);
  for (let i = 0; i < words; i++) out[i] = b.readInt32BE(i * 4);
  return out;
}

function writeWords(words: Int32Array, n: number): Buffer {
  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) out.writeInt32BE(words[i]!, i * 4);
  return out;
}

function sha1Times(input: Buffer, times: number): Buffer {
  const W = new Int32Array(80);
  const m = readWords(input, 5);
  for (let t = 0; t < times; t++) {
    W.fill(0);
    W.set(m);
    W[5] = 0x80000000 | 0;
    W[15] = 160;
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = 0x67452301,
      b = 0xefcdab89 | 0,
      c = 0x98badcfe | 0,
      d = 0x10325476,
      e = 0xc3d2e1f0 | 0;
    for (let i = 0; i < 80; i++) {
      let f: number, k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + W[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    m[0] = (0x67452301 + a) | 0;
    m[1] = ((0xefcdab89 | 0) + b) | 0;
    m[2] = ((0x98badcfe | 0) + c) | 0;
    m[3] = (0x10325476 + d) | 0;
    m[4] = ((0xc3d2e1f0 | 0) + e) | 0;
  }
  return writeWords(m, 5);
}

function sha256Times(input: Buffer, times: number, iv: number[], outWords: number): Buffer {
  const W = new Int32Array(64);
  const H = Int32Array.from(iv.map((x) => x | 0));
  const m = readWords(input, outWords);
  const h0 = H[0]!,
    h1 = H[1]!,
    h2 = H[2]!,
    h3 = H[3]!,
    h4 = H[4]!,
    h5 = H[5]!,
    h6 = H[6]!,
    h7 = H[7]!;
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < outWords; i++) W[i] = m[i]!;
    W[outWords] = 0x80000000 | 0;
    for (let i = outWords + 1; i < 15; i++) W[i] = 0;
    W[15] = outWords * 32;
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!,
        w2 = W[i - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K256[i]! + W[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    m[0] = (h0 + a) | 0;
    m[1] = (h1 + b) | 0;
    m[2] = (h2 + c) | 0;
    m[3] = (h3 + d) | 0;
    m[4] = (h4 + e) | 0;
    m[5] = (h5 + f) | 0;
    m[6] = (h6 + g) | 0;
    if (outWords === 8) m[7] = (h7 + h) | 0;
  }
  return writeWords(m, outWords);
}

/** SHA-384 and SHA-512 need 64-bit words, which JavaScript computes slower than a native call per step. */
function nativeTimes(hash: 'sha384' | 'sha512', input: Buffer, times: number): Buffer {
  let a = input;
  for (let i = 0; i < times; i++) a = createHash(hash).update(a).digest();
  return a;
}

/** H^times(input) for an input exactly one digest long (times ≥ 0). */
export function hashTimes(hash: DigestName, input: Buffer, times: number): Buffer {
  if (times === 0) return Buffer.from(input);
  switch (hash) {
    case 'sha1':
      return sha1Times(input, times);
    case 'sha224':
      return sha256Times(input, times, IV224, 7);
    case 'sha256':
      return sha256Times(input, times, IV256, 8);
    case 'sha384':
    case 'sha512':
      return nativeTimes(hash, input, times);
  }
}
