/**
 * Test PKI generated with the real openssl binary at test time: a root, an
 * intermediate, end-entity certificates and PKCS#12 files in every flavour mail
 * admins meet. Nothing here is committed key material.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every subprocess of the tests ends within this, whatever it waits for. */
export const TOOL_TIMEOUT = 30_000;

export type KeySpec =
  | 'rsa1024'
  | 'rsa2048'
  | 'rsa3072'
  | 'rsa4096'
  | 'p256'
  | 'p384'
  | 'ed25519'
  /** RSASSA-PSS key without restrictions (id-RSASSA-PSS, RFC 4055) */
  | 'rsa-pss'
  /** RSASSA-PSS key restricted to SHA-256, MGF1-SHA-256, salt ≥ 32 */
  | 'rsa-pss-sha256'
  | 'dsa'
  | 'x25519'
  /** P-256 whose certificate spells out the curve parameters (openssl ecparam -param_enc explicit) */
  | 'p256-explicit';

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
  'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-pss-sha256': [
    '-algorithm',
    'RSA-PSS',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-pkeyopt',
    'rsa_pss_keygen_md:sha256',
    '-pkeyopt',
    'rsa_pss_keygen_mgf1_md:sha256',
    '-pkeyopt',
    'rsa_pss_keygen_saltlen:32',
  ],
  dsa: [],
  x25519: ['-algorithm', 'X25519'],
  'p256-explicit': [],
};

/** Keys that cannot sign their own certificate request: the request is signed with a stand-in key and the key forced in. */
const CANNOT_SIGN: KeySpec[] = ['x25519'];

export class TestPki {
  readonly dir: string;
  root!: Issued;
  intermediate!: Issued;
  private counter = 0;

  /**
   * @param caValidFrom when given, the root and the intermediate are valid from then (with
   *   `openssl ca -startdate`), so a test can sign at a time before today
   */
  constructor(
    readonly label = 'Test',
    private readonly caValidFrom?: Date,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'smime-pki-'));
    this.build();
  }

  /** Signs a CA certificate request with `openssl ca`, valid from `caValidFrom` (self-signed without `issuer`). */
  private backdatedCa(name: string, key: string, subject: string, ext: string, issuer?: Issued): void {
    this.openssl(['req', '-new', '-key', key, '-subj', subject, '-out', this.path(`${name}.csr`)]);
    writeFileSync(this.path(`${name}.ext`), `[v3]\n${ext}`);
    this.openssl([
      'ca',
      '-batch',
      '-config',
      this.path('ca.cnf'),
      '-md',
      'sha256',
      '-in',
      this.path(`${name}.csr`),
      ...(issuer ? ['-cert', issuer.certPath, '-keyfile', issuer.keyPath] : ['-selfsign', '-keyfile', key]),
      '-startdate',
      opensslDate(this.caValidFrom!),
      '-enddate',
      opensslDate(new Date(Date.now() + 3000 * 86_400_000)),
      '-extfile',
      this.path(`${name}.ext`),
      '-extensions',
      'v3',
      '-notext',
      '-preserveDN',
      '-out',
      this.path(`${name}.pem`),
    ]);
  }

  openssl(args: string[], env: Record<string, string> = {}): Buffer {
    return execFileSync('openssl', args, {
      cwd: this.dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TOOL_TIMEOUT,
    });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  private key(name: string, spec: KeySpec): string {
    const p = this.path(`${name}.key`);
    if (spec === 'dsa') {
      this.openssl([
        'genpkey',
        '-genparam',
        '-algorithm',
        'DSA',
        '-pkeyopt',
        'pbits:2048',
        '-out',
        this.path('dsa.param'),
      ]);
      this.openssl(['genpkey', '-paramfile', this.path('dsa.param'), '-out', p]);
    } else if (spec === 'p256-explicit') {
      this.openssl(['ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout', '-out', p]);
    } else this.openssl(['genpkey', ...keyArgs[spec], '-out', p]);
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
    if (this.caValidFrom) {
      const interKey = this.key('inter', 'rsa2048');
      this.backdatedCa(
        'root',
        rootKey,
        `/C=JP/O=${this.label} Trust/CN=${this.label} Root CA`,
        'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
      );
      this.root = {
        name: 'root',
        keyPath: rootKey,
        certPath: this.path('root.pem'),
        certPem: readFileSync(this.path('root.pem'), 'utf8'),
      };
      this.backdatedCa(
        'inter',
        interKey,
        `/C=JP/O=${this.label} Trust/CN=${this.label} S\\/MIME Issuing CA`,
        'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
        this.root,
      );
      this.intermediate = {
        name: 'inter',
        keyPath: interKey,
        certPath: this.path('inter.pem'),
        certPem: readFileSync(this.path('inter.pem'), 'utf8'),
      };
      return;
    }
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
    const spec = opts.key ?? 'rsa2048';
    const keyPath = this.key(name, spec);
    const subject =
      opts.subject ?? `/CN=${opts.cn ?? 'Alice Example'}${opts.subjectEmailOnly ? `/emailAddress=${emails[0]}` : ''}`;
    const standIn = CANNOT_SIGN.includes(spec);
    if (standIn) this.openssl(['genpkey', '-algorithm', 'ED25519', '-out', this.path(`${name}-standin.key`)]);
    this.openssl([
      'req',
      '-new',
      '-key',
      standIn ? this.path(`${name}-standin.key`) : keyPath,
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
    if (standIn) {
      // `openssl ca` takes the key from the request; x509 can put another public key in
      this.openssl(['pkey', '-in', keyPath, '-pubout', '-out', this.path(`${name}.pub`)]);
      this.openssl([
        'x509',
        '-req',
        '-in',
        this.path(`${name}.csr`),
        '-force_pubkey',
        this.path(`${name}.pub`),
        '-CA',
        issuer.certPath,
        '-CAkey',
        issuer.keyPath,
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        this.path(`${name}.ext`),
        '-extensions',
        'leaf',
        '-out',
        this.path(`${name}.pem`),
      ]);
      return {
        name,
        keyPath,
        certPath: this.path(`${name}.pem`),
        certPem: readFileSync(this.path(`${name}.pem`), 'utf8'),
      };
    }
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

  /**
   * Revokes `revoked` (in the CA database the test CAs share) and writes a CRL signed by the
   * intermediate (or the root) in PEM; `lastUpdate`/`nextUpdate` default to now and now + 30 days.
   */
  crl(
    revoked: Issued[],
    opts: { issuer?: 'intermediate' | 'root'; lastUpdate?: Date; nextUpdate?: Date } = {},
  ): string {
    const issuer = opts.issuer === 'root' ? this.root : this.intermediate;
    const ca = ['-config', this.path('ca.cnf'), '-keyfile', issuer.keyPath, '-cert', issuer.certPath];
    for (const r of revoked)
      this.openssl(['ca', ...ca, '-md', 'sha256', '-revoke', r.certPath, '-crl_reason', 'keyCompromise']);
    const out = this.path(`crl-${++this.counter}.pem`);
    this.openssl([
      'ca',
      ...ca,
      '-gencrl',
      '-md',
      'sha256',
      '-crl_lastupdate',
      opensslDate(opts.lastUpdate ?? new Date(Date.now() - 60_000)),
      '-crl_nextupdate',
      opensslDate(opts.nextUpdate ?? new Date(Date.now() + 30 * 86_400_000)),
      '-out',
      out,
    ]);
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
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: TOOL_TIMEOUT },
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
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], { timeout: TOOL_TIMEOUT });
  if (trustRoot)
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'root', '-t', 'C,C,C', '-a', '-i', pki.root.certPath], {
      timeout: TOOL_TIMEOUT,
    });
  const c = pki.write(`nss-content-${Math.random().toString(36).slice(2)}`, content);
  const s = pki.write(`nss-sig-${Math.random().toString(36).slice(2)}`, signatureDer);
  try {
    const out = execFileSync('cmsutil', ['-D', '-i', s, '-c', c, '-d', `sql:${db}`, '-u', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TOOL_TIMEOUT,
    });
    return { ok: true, output: out.toString() };
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}` };
  }
}

/** Runs a tool with a timeout; returns its status and output instead of throwing. */
export function tool(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {},
): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    input: opts.input,
    timeout: TOOL_TIMEOUT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: r.status,
    stdout: r.stdout ?? Buffer.alloc(0),
    stderr: `${r.stderr?.toString() ?? ''}${r.error ? String(r.error) : ''}`,
  };
}

function mustRun(cmd: string, args: string[], opts: Parameters<typeof tool>[2] = {}): Buffer {
  const r = tool(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * An NSS certificate database (what Thunderbird and Firefox keep) with the test root trusted
 * for mail: the producer of pk12util backups (BER PKCS#12) and cmsutil signatures, and the
 * NSS verifier.
 */
export class NssDb {
  readonly dir: string;
  private n = 0;

  constructor(
    readonly pki: TestPki,
    trustRoot = true,
  ) {
    this.dir = pki.path(`nssdb-${Math.random().toString(36).slice(2)}`);
    mkdirSync(this.dir);
    mustRun('certutil', ['-N', '-d', `sql:${this.dir}`, '--empty-password']);
    if (trustRoot)
      mustRun('certutil', ['-A', '-d', `sql:${this.dir}`, '-n', 'root', '-t', 'C,C,C', '-a', '-i', pki.root.certPath]);
  }

  private pwFile(password: string): string {
    return this.pki.write(`nss-pw-${++this.n}.txt`, `${password}\n`);
  }

  /** Imports a PKCS#12 file; the key's nickname is its certificate's CN. */
  importP12(p12: string, password: string): void {
    mustRun('pk12util', ['-i', p12, '-d', `sql:${this.dir}`, '-w', this.pwFile(password)]);
  }

  /** pk12util -o: what Firefox and Thunderbird backups are (BER, PBES2 AES, 600 000 iterations in NSS 3.87). */
  exportP12(nickname: string, password: string, extra: string[] = []): string {
    const out = this.pki.path(`nss-export-${++this.n}.p12`);
    mustRun('pk12util', ['-o', out, '-n', nickname, '-d', `sql:${this.dir}`, '-w', this.pwFile(password), ...extra]);
    return out;
  }

  /** cmsutil -S -T -G: a detached SignedData with a signing time over `content`. */
  sign(nickname: string, content: Buffer): Buffer {
    const input = this.pki.write(`nss-in-${++this.n}`, content);
    const out = this.pki.path(`nss-sig-${this.n}.p7s`);
    mustRun('cmsutil', ['-S', '-N', nickname, '-T', '-G', '-i', input, '-o', out, '-d', `sql:${this.dir}`]);
    return readFileSync(out);
  }

  /** cmsutil -D with the usage e-mail signer (4): valid only for a good signature by a trusted signer. */
  verify(content: Buffer, signature: Buffer): { ok: boolean; output: string } {
    const c = this.pki.write(`nss-c-${++this.n}`, content);
    const s = this.pki.write(`nss-s-${this.n}.p7s`, signature);
    const r = tool('cmsutil', ['-D', '-i', s, '-c', c, '-d', `sql:${this.dir}`, '-u', '4']);
    const output = r.stderr + r.stdout.toString('latin1');
    return { ok: r.status === 0, output };
  }
}

/**
 * A private GnuPG home for gpgsm (what KMail and Kleopatra use): the root imported and
 * trusted for S/MIME in trustlist.txt, CRL checks off. close() stops its gpg-agent.
 */
export class GpgsmHome {
  readonly dir: string;
  private n = 0;

  constructor(readonly pki: TestPki) {
    this.dir = mkdtempSync(join(tmpdir(), 'smime-gnupg-'));
    writeFileSync(join(this.dir, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
    writeFileSync(join(this.dir, 'gpgsm.conf'), 'disable-crl-checks\ndisable-policy-checks\ndisable-dirmngr\n');
    this.run(['--import', pki.root.certPath]);
    const fpr = new X509Certificate(pki.root.certPem).fingerprint;
    writeFileSync(join(this.dir, 'trustlist.txt'), `${fpr} S\n`);
  }

  private run(args: string[], input?: string) {
    return tool('gpgsm', ['--batch', '--pinentry-mode', 'loopback', ...args], {
      env: { GNUPGHOME: this.dir },
      ...(input !== undefined ? { input } : {}),
    });
  }

  /** Imports a PKCS#12 file; gpg-agent keeps the key under the same passphrase. */
  importP12(p12: string, password: string): void {
    const r = this.run(['--passphrase-fd', '0', '--import', p12], `${password}\n`);
    if (r.status !== 0 || !/secret keys imported: 1/.test(r.stderr))
      throw new Error(`gpgsm --import failed: ${r.stderr}`);
  }

  /** gpgsm --detach-sign with the whole chain included: a detached SignedData (BER) over `content`. */
  sign(signer: string, password: string, content: Buffer): Buffer {
    const input = this.pki.write(`gpgsm-in-${++this.n}`, content);
    const out = this.pki.path(`gpgsm-sig-${this.n}.p7s`);
    const r = this.run(
      ['--passphrase-fd', '0', '--include-certs', '-1', '-u', signer, '--output', out, '--detach-sign', input],
      `${password}\n`,
    );
    if (r.status !== 0) throw new Error(`gpgsm --detach-sign failed: ${r.stderr}`);
    return readFileSync(out);
  }

  /** gpgsm --verify: valid only with a good signature and a trusted chain (status GOODSIG, VALIDSIG, exit 0). */
  verify(content: Buffer, signature: Buffer): { ok: boolean; output: string } {
    const c = this.pki.write(`gpgsm-c-${++this.n}`, content);
    const s = this.pki.write(`gpgsm-s-${this.n}.p7s`, signature);
    const r = this.run(['--status-fd', '1', '--verify', s, c]);
    const output = r.stdout.toString('latin1') + r.stderr;
    return { ok: r.status === 0 && /\[GNUPG:\] GOODSIG/.test(output) && /\[GNUPG:\] VALIDSIG/.test(output), output };
  }

  close(): void {
    tool('gpgconf', ['--kill', 'all'], { env: { GNUPGHOME: this.dir } });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * openssl cms -sign: a detached S/MIME message (multipart/signed) of the MIME entity in
 * `entityPath`, with the intermediate included; `flags` such as -noattr, -nocerts,
 * -keyopt rsa_padding_mode:pss.
 */
export function opensslSign(pki: TestPki, signer: Issued, entityPath: string, flags: string[] = []): Buffer {
  return pki.openssl([
    'cms',
    '-sign',
    '-in',
    entityPath,
    '-signer',
    signer.certPath,
    '-inkey',
    signer.keyPath,
    '-certfile',
    pki.intermediate.certPath,
    '-md',
    'sha256',
    ...flags,
  ]);
}
