import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, seq, tlv } from '../../../main/core/engine/der';
import { KDF_BUDGET, WorkBudget } from '../../../main/core/engine/pbe';
import { openPkcs12 } from '../../../main/core/engine/pkcs12';
import { TestPki } from '../../helpers/pki';

let pki: TestPki;
let p12: Buffer;
beforeAll(() => {
  pki = new TestPki();
  p12 = readFileSync(pki.p12(pki.leaf(), { password: 'secret' }));
});
afterAll(() => pki.cleanup());

function int(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** The same PFX with its MAC iteration count replaced. */
function withMacIterations(pfx: Buffer, n: number): Buffer {
  const [version, authSafe, mac] = decode(pfx).children();
  const [digestInfo, salt] = mac!.children();
  return seq(version!.raw(), authSafe!.raw(), seq(digestInfo!.raw(), salt!.raw(), int(n)));
}

/** The same PFX with every PBKDF2 iteration count (INTEGER 2048 after a salt) replaced by a 6-byte INTEGER. */
function withPbkdf2Iterations(pfx: Buffer, n: number): Buffer {
  // OpenSSL writes `04 08 <salt> 02 02 08 00`; 6-byte INTEGERs keep the lengths by taking the salt's place
  const hex = pfx.toString('hex');
  const re = /0408([0-9a-f]{16})02020800/g;
  const count = int(n).toString('hex');
  expect(count.length).toBe(16);
  const replaced = hex.replace(re, (_m, _salt: string) => `0404aabbccdd${count}`);
  expect(replaced).not.toBe(hex);
  return Buffer.from(replaced, 'hex');
}

describe('key-derivation work is bounded before it starts', () => {
  it('a budget allows real files and refuses what exceeds it', () => {
    const b = new WorkBudget(KDF_BUDGET, 'f.p12');
    b.spend(600_000);
    expect(() => b.spend(KDF_BUDGET)).toThrow(/f\.p12 asks for more key-derivation work/);
    expect(() => new WorkBudget().spend(0)).toThrow();
    expect(() => new WorkBudget().spend(2 ** 60)).toThrow();
  });

  it('refuses a MAC iteration count of 100 000 000 or 2^40 in well under 2 s, instead of "wrong password" minutes later', () => {
    for (const n of [100_000_000, 2 ** 40]) {
      const t = performance.now();
      expect(() => openPkcs12(withMacIterations(p12, n), 'wrong', 'hostile.p12')).toThrow(
        expect.objectContaining({
          code: 'P12_UNSUPPORTED',
          message: expect.stringMatching(/hostile\.p12 asks for more key-derivation work/),
        }),
      );
      expect(performance.now() - t).toBeLessThan(2000);
    }
  });

  it('refuses a PBKDF2 count of 2^40 before deriving anything', () => {
    const hostile = withPbkdf2Iterations(withMacIterations(p12, 1), 2 ** 40);
    const t = performance.now();
    expect(() => openPkcs12(hostile, 'secret', 'hostile.p12')).toThrow(
      /key-derivation iterations|not a valid PKCS#12|wrong password/,
    );
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
