/**
 * Test PKI generated with the real openssl binary at test time: a root, an
 * intermediate, end-entity certificates and PKCS#12 files in every flavour mail
 * admins meet. Nothing here is committed key material.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeySpec = 'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'ed25519';

export interface Issued {
  name: string;
  keyPath: string;
  certPath: string;
  certPem: string;
}

export interface LeafOptions {
  key?: KeySpec;
  emails?: string[];
  /** put the address only in the subject's emailAddress, no SAN */
  subjectEmailOnly?: boolean;
  cn?: string;
  notBefore?: Date;
  notAfter?: Date;
  eku?: string | null;
  keyUsage?: string | null;
  md?: 'sha256' | 'sha1';
  /** issue from the root directly */
  fromRoot?: boolean;
  subject?: string;
}

export interface P12Options {
  password?: string;
  chain?: 'none' | 'intermediate' | 'full';
  /** extra openssl pkcs12 flags, e.g. ['-legacy'] */
  flags?: string[];
  keyOnly?: boolean;
  certOnly?: boolean;
  /** add another certificate first, to test pairing by public key */
  decoy?: Issued;
  /** a key that does not belong to the certificate */
  wrongKey?: Issued;
}

function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

const keyArgs: Record<KeySpec, string[]> = {
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-algorithm', 'ED25519'],
};

export class TestPki {
  readonly dir: string;
  root!: Issued;
  intermediate!: Issued;
  private counter = 0;

  constructor(readonly label = 'Test') {
    this.dir = mkdtempSync(join(tmpdir(), 'smime-pki-'));
    this.build();
  }

  openssl(args: string[], env: Record<string, string> = {}): Buffer {
    return execFileSync('openssl', args, {
      cwd: this.dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  private key(name: string, spec: KeySpec): string {
    const p = this.path(`${name}.key`);
    this.openssl(['genpkey', ...keyArgs[spec], '-out', p]);
    return p;
  }

  private build(): void {
    writeFileSync(this.path('index.txt'), '');
    writeFileSync(this.path('serial'), '1000\n');
    writeFileSync(
      this.path('ca.cnf'),
      `[ca]\ndefault_ca=test\n[test]\ndir=${this.dir}\ndatabase=$dir/index.txt\nserial=$dir/serial\nnew_certs_dir=$dir\npolicy=any\nunique_subject=no\ncopy_extensions=none\nemail_in_dn=yes\n[any]\ncommonName=optional\nemailAddress=optional\norganizationName=optional\ncountryName=optional\n`,
    );
    const rootKey = this.key('root', 'rsa2048');
    this.openssl([
      'req',
      '-new',
      '-x509',
      '-key',
      rootKey,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/C=JP/O=${this.label} Trust/CN=${this.label} Root CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      this.path('root.pem'),
    ]);
    this.root = {
      name: 'root',
      keyPath: rootKey,
      certPath: this.path('root.pem'),
      certPem: readFileSync(this.path('root.pem'), 'utf8'),
    };
    const interKey = this.key('inter', 'rsa2048');
    this.openssl([
      'req',
      '-new',
      '-key',
      interKey,
      '-subj',
      `/C=JP/O=${this.label} Trust/CN=${this.label} S\\/MIME Issuing CA`,
      '-out',
      this.path('inter.csr'),
    ]);
    writeFileSync(
      this.path('inter.ext'),
      '[v3]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    this.openssl([
      'x509',
      '-req',
      '-in',
      this.path('inter.csr'),
      '-CA',
      this.root.certPath,
      '-CAkey',
      rootKey,
      '-CAcreateserial',
      '-days',
      '3000',
      '-sha256',
      '-extfile',
      this.path('inter.ext'),
      '-extensions',
      'v3',
      '-out',
      this.path('inter.pem'),
    ]);
    this.intermediate = {
      name: 'inter',
      keyPath: interKey,
      certPath: this.path('inter.pem'),
      certPem: readFileSync(this.path('inter.pem'), 'utf8'),
    };
  }

  /** Issues an end-entity S/MIME certificate. */
  leaf(opts: LeafOptions = {}): Issued {
    const name = `leaf${++this.counter}`;
    const emails = opts.emails ?? ['alice@example.com'];
    const keyPath = this.key(name, opts.key ?? 'rsa2048');
    const subject =
      opts.subject ?? `/CN=${opts.cn ?? 'Alice Example'}${opts.subjectEmailOnly ? `/emailAddress=${emails[0]}` : ''}`;
    this.openssl([
      'req',
      '-new',
      '-key',
      keyPath,
      '-subj',
      subject,
      '-multivalue-rdn',
      '-out',
      this.path(`${name}.csr`),
    ]);
    const ext = [
      '[leaf]',
      'basicConstraints=critical,CA:FALSE',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ];
    if (opts.keyUsage !== null) ext.push(`keyUsage=critical,${opts.keyUsage ?? 'digitalSignature,keyEncipherment'}`);
    if (opts.eku !== null) ext.push(`extendedKeyUsage=${opts.eku ?? 'emailProtection'}`);
    if (!opts.subjectEmailOnly && emails.length > 0)
      ext.push(`subjectAltName=${emails.map((e) => `email:${e}`).join(',')}`);
    writeFileSync(this.path(`${name}.ext`), ext.join('\n') + '\n');
    const issuer = opts.fromRoot ? this.root : this.intermediate;
    const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
    const notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
    this.openssl([
      'ca',
      '-batch',
      '-config',
      this.path('ca.cnf'),
      '-in',
      this.path(`${name}.csr`),
      '-cert',
      issuer.certPath,
      '-keyfile',
      issuer.keyPath,
      '-md',
      opts.md ?? 'sha256',
      '-startdate',
      opensslDate(notBefore),
      '-enddate',
      opensslDate(notAfter),
      '-extfile',
      this.path(`${name}.ext`),
      '-extensions',
      'leaf',
      '-notext',
      '-out',
      this.path(`${name}.pem`),
      '-preserveDN',
    ]);
    return {
      name,
      keyPath,
      certPath: this.path(`${name}.pem`),
      certPem: readFileSync(this.path(`${name}.pem`), 'utf8'),
    };
  }

  /** Writes a PKCS#12 file with `openssl pkcs12 -export`; the password travels in the environment. */
  p12(leaf: Issued, opts: P12Options = {}): string {
    const out = this.path(`${leaf.name}-${++this.counter}.p12`);
    const certs: string[] = [];
    if (opts.chain !== 'none') {
      const chainFile = this.path(`chain-${this.counter}.pem`);
      const parts = [this.intermediate.certPem];
      if (opts.chain === 'full') parts.push(this.root.certPem);
      if (opts.decoy) parts.unshift(opts.decoy.certPem);
      writeFileSync(chainFile, parts.join(''));
      certs.push('-certfile', chainFile);
    }
    const args = ['pkcs12', '-export', '-out', out, '-passout', 'env:P12_TEST_PW', ...(opts.flags ?? [])];
    if (opts.keyOnly) args.push('-nocerts', '-inkey', leaf.keyPath);
    else if (opts.certOnly) args.push('-nokeys', '-in', leaf.certPath, ...certs);
    else args.push('-inkey', (opts.wrongKey ?? leaf).keyPath, '-in', leaf.certPath, ...certs);
    this.openssl(args, { P12_TEST_PW: opts.password ?? 'secret' });
    return out;
  }

  write(name: string, data: string | Buffer): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `openssl cms -verify` with only the root as trust anchor; returns the verified content or throws with OpenSSL's message. */
export function opensslVerify(pki: TestPki, signedPath: string): { ok: boolean; content: Buffer; stderr: string } {
  const out = pki.path(`verified-${Math.random().toString(36).slice(2)}.out`);
  try {
    execFileSync(
      'openssl',
      ['cms', '-verify', '-in', signedPath, '-CAfile', pki.root.certPath, '-purpose', 'smimesign', '-out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { ok: true, content: readFileSync(out), stderr: '' };
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return { ok: false, content: Buffer.alloc(0), stderr: err.stderr?.toString() ?? String(e) };
  }
}

/** Verifies a detached signature with NSS (what Thunderbird uses), trusting only the root. */
export function nssVerify(
  pki: TestPki,
  content: Buffer,
  signatureDer: Buffer,
  trustRoot = true,
): { ok: boolean; output: string } {
  const db = pki.path(`nss-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkdir', ['-p', db]);
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  if (trustRoot)
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'root', '-t', 'C,C,C', '-a', '-i', pki.root.certPath]);
  const c = pki.write(`nss-content-${Math.random().toString(36).slice(2)}`, content);
  const s = pki.write(`nss-sig-${Math.random().toString(36).slice(2)}`, signatureDer);
  try {
    const out = execFileSync('cmsutil', ['-D', '-i', s, '-c', c, '-d', `sql:${db}`, '-u', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: out.toString() };
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}` };
  }
}
