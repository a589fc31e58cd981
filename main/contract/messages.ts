/**
 * The words for every code in codes.ts, in English and Japanese. Each table is exhaustive:
 * a new code without its text in both languages does not compile. The CLI renders English;
 * the renderer renders the UI's language.
 */
import type {
  CertWarning,
  CertWarningParams,
  Decision,
  DecisionParams,
  ReflectWarning,
  ReflectWarningParams,
  VerifyFailure,
  VerifyFailureParams,
} from './codes';

export type Lang = 'en' | 'ja';

type Table<P> = { [C in keyof P]: (p: P[C]) => string };

interface Tables {
  warning: Table<CertWarningParams>;
  decision: Table<DecisionParams>;
  verify: Table<VerifyFailureParams>;
  reflect: Table<ReflectWarningParams>;
}

/** 2026-11-28 from an ISO time, whatever the language: unambiguous in logs and in both UIs. */
const day = (iso: string): string => iso.slice(0, 10);
const list = (xs: string[], sep: string): string => xs.join(sep);

const en: Tables = {
  warning: {
    expired: (p) => `the certificate expired on ${day(p.date)}; mail signed with it will be rejected`,
    'not-yet-valid': (p) => `the certificate is not valid before ${p.date}`,
    'expires-soon': (p) =>
      `the certificate expires in ${p.days} day${p.days === 1 ? '' : 's'} (${day(p.date)}); renew it`,
    'no-email-protection-eku': (p) =>
      p.usages.length > 0
        ? `the certificate is not for e-mail: its extended key usage lacks emailProtection (it has ${list(p.usages, ', ')})`
        : 'the certificate has no extended key usage; the S/MIME Baseline Requirements require emailProtection',
    'no-digital-signature': (p) =>
      p.nonRepudiationOnly
        ? 'the key usage has nonRepudiation but not digitalSignature; some clients refuse such signatures'
        : 'the certificate may not sign: its key usage lacks digitalSignature',
    'weak-rsa-key': (p) => `the RSA key has only ${p.bits} bits; 2048 is the minimum clients accept`,
    'sha1-signature': () => 'the certificate is signed with SHA-1, which mail clients no longer trust',
    'missing-intermediate': (p) =>
      `the file has no certificate of the issuer (${p.issuer}); recipients may not be able to build the chain, so include the intermediate certificates when exporting`,
    'ca-certificate': () => 'this is a CA certificate, not an end-entity certificate for a mail address',
    'validity-over-825-days': (p) =>
      `the validity period is ${p.days} days; the S/MIME Baseline Requirements allow at most 825`,
    'forbidden-eku': (p) =>
      `the extended key usage includes ${list(p.usages, ', ')}, which the S/MIME Baseline Requirements forbid`,
    'no-email-address': () => 'the certificate names no mail address (no SAN rfc822Name, no emailAddress)',
    'self-signed': () => 'the certificate is self-signed; recipients will not trust it',
    'untested-issuer': () =>
      'the issuer is not one the service lists as tested (DigiCert/Symantec Secure Email ID, GlobalSign S/MIME, SECOM Passport for Member); it may still work',
    'explicit-ec-parameters': (p) =>
      `the certificate "${p.subject}" spells out its elliptic curve instead of naming it; OpenSSL, Thunderbird (NSS) and gpgsm reject every message signed with it, so it cannot be used (have it re-issued)`,
  },
  decision: {
    signed: (p) => `signed with the certificate for ${p.email}`,
    'bcc-copy': () => 'copy forwarded by intelligent BCC; BCC copies are not signed',
    'header-exception': (p) => `header exception #${p.id}: ${p.header} "${p.value}" matches ${p.pattern}`,
    'already-secured': (p) => `the message is already ${p.contentType}; it is not signed again`,
    'destination-exception': (p) => `destination exception #${p.id}: matches ${p.pattern}`,
    'no-certificate': (p) =>
      p.sender
        ? `no certificate operates for ${p.sender} in composition "${p.composition}"`
        : 'the message has no From address and no MAIL FROM',
    'certificate-expired': (p) => `the certificate for ${p.email} expired on ${day(p.notAfter)}`,
    'certificate-not-yet-valid': (p) => `the certificate for ${p.email} is valid from ${day(p.notBefore)}`,
  },
  verify: {
    'not-signed-data': () => 'the signature part is not CMS SignedData',
    'no-signed-content': () => 'the signature is detached but no signed content was found',
    'no-signer': () => 'the signature has no signer',
    'signer-certificate-missing': () => "the signer's certificate is not included in the signature",
    'unsupported-digest': () => 'the signature uses an unsupported digest algorithm',
    'ess-hash-mismatch': () => "the ESS signing-certificate hash does not match the signer's certificate",
    'no-message-digest': () => 'the signed attributes have no message digest',
    'content-type-not-data': () => 'the signed content type is not id-data',
    'content-changed': () => 'the message digest does not match: the signed content was changed after signing',
    'unsupported-signature-algorithm': () => 'the signature algorithm is not supported',
    'bad-signature': () => "the signature value does not verify with the signer's public key",
    'certificate-not-valid-at': (p) => `certificate "${p.subject}" was not valid at ${p.at}`,
    'anchor-not-valid-at': () => 'the trust anchor was not valid at signing time',
    'chain-incomplete': () => 'the certificate chain does not lead to the given trust anchor',
    'issuer-not-ca': (p) => `"${p.subject}" signed a certificate but is not a CA`,
    'chain-too-long': () => 'the certificate chain is too long',
    'encapsulated-content-in-detached': () =>
      'the detached signature also carries content of its own (RFC 8551 forbids it); a mail client may show one content and verify the other',
    'pss-parameters-invalid': () =>
      "the RSASSA-PSS parameters are invalid, name another hash than the digest algorithm, or break the key's restrictions",
    'explicit-ec-parameters': (p) =>
      `the certificate "${p.subject}" spells out its elliptic curve; OpenSSL, Thunderbird (NSS) and gpgsm reject such signatures`,
    'signing-time-outside-validity': (p) =>
      `the signing time ${p.at} lies outside the signer certificate's validity (${p.notBefore} to ${p.notAfter})`,
    'key-usage-forbids-signing': (p) =>
      `the signer certificate's key usage (${list(p.usages, ', ')}) has neither digitalSignature nor nonRepudiation`,
    'eku-not-email-protection': (p) =>
      `the extended key usage of "${p.subject}" (${list(p.usages, ', ')}) does not allow e-mail protection`,
    'certificate-revoked': (p) => `certificate "${p.subject}" was revoked on ${p.date}`,
    'crl-missing': (p) => `none of the given CRLs is from the signer's issuer "${p.issuer}"`,
    'crl-invalid': (p) => `the CRL of "${p.issuer}" is not signed by that issuer`,
    'crl-expired': (p) => `the CRL of "${p.issuer}" expired on ${p.nextUpdate}`,
    'crl-not-yet-valid': (p) => `the CRL of "${p.issuer}" is not valid before ${p.thisUpdate}`,
    'signer-not-from': (p) =>
      `the signer (${p.signers.length > 0 ? list(p.signers, ', ') : 'no mail address'}) is not the From address ${p.from}`,
    'no-from': () => 'the message has no From address to compare with the signer',
    'multiple-from-fields': (p) =>
      `the message has ${p.count} From header fields; a mail client may show another one than the one checked`,
    'multiple-from-addresses': (p) => `the From field names several addresses (${list(p.addresses, ', ')})`,
  },
  reflect: {
    'certificate-expired': (p) =>
      `the certificate for ${p.email} is expired (since ${day(p.date)}): its mail will be rejected with 451`,
    'certificate-expiring': (p) => `the certificate for ${p.email} expires in ${p.days} days`,
    'certificate-not-yet-valid': (p) =>
      `the certificate for ${p.email} is not valid before ${day(p.date)}: its mail will be rejected with 451 until then`,
    'no-certificate': () => 'no certificate is checked in this composition: the servers will sign nothing',
    'matches-everything': (p) =>
      p.kind === 'destination'
        ? `destination exception #${p.id} (${p.pattern}) matches every ordinary address: all mail goes out unsigned`
        : `header exception #${p.id} (${p.header}: ${p.pattern}) matches every ordinary value: all mail goes out unsigned`,
  },
};

const jaDay = (iso: string): string => {
  const [y, m, d] = day(iso).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};

const ja: Tables = {
  warning: {
    expired: (p) => `証明書は${jaDay(p.date)}に期限切れになりました。この証明書で署名するメールは拒否されます。`,
    'not-yet-valid': (p) => `証明書は${jaDay(p.date)}まで有効になりません。`,
    'expires-soon': (p) => `証明書はあと${p.days}日（${jaDay(p.date)}）で期限切れになります。更新してください。`,
    'no-email-protection-eku': (p) =>
      p.usages.length > 0
        ? `メール用の証明書ではありません。拡張キー使用法に emailProtection がありません（${list(p.usages, '、')}）。`
        : '拡張キー使用法がありません。S/MIME Baseline Requirements は emailProtection を必須としています。',
    'no-digital-signature': (p) =>
      p.nonRepudiationOnly
        ? 'キー使用法に nonRepudiation はありますが digitalSignature がありません。この署名を拒否するクライアントがあります。'
        : '署名に使えない証明書です。キー使用法に digitalSignature がありません。',
    'weak-rsa-key': (p) => `RSA 鍵が${p.bits}ビットしかありません。クライアントが受け入れるのは2048ビット以上です。`,
    'sha1-signature': () => '証明書は SHA-1 で署名されています。メールクライアントはもう信頼しません。',
    'missing-intermediate': (p) =>
      `ファイルに発行者（${p.issuer}）の証明書がありません。受信者が証明書チェーンを構築できない場合があるため、エクスポート時に中間証明書を含めてください。`,
    'ca-certificate': () => 'CA 証明書です。メールアドレス用のエンドエンティティ証明書ではありません。',
    'validity-over-825-days': (p) =>
      `有効期間が${p.days}日です。S/MIME Baseline Requirements で認められるのは最長825日です。`,
    'forbidden-eku': (p) =>
      `拡張キー使用法に ${list(p.usages, '、')} が含まれています。S/MIME Baseline Requirements では禁止されています。`,
    'no-email-address': () => '証明書にメールアドレスがありません（SAN の rfc822Name も emailAddress もありません）。',
    'self-signed': () => '自己署名証明書です。受信者はこの証明書を信頼しません。',
    'untested-issuer': () =>
      'サービスが動作確認済みとしている発行者（DigiCert/Symantec Secure Email ID、GlobalSign S/MIME、SECOM Passport for Member）ではありません。動作する場合もあります。',
    'explicit-ec-parameters': (p) =>
      `証明書「${p.subject}」は楕円曲線を名前ではなくパラメーターで記述しています。OpenSSL、Thunderbird（NSS）、gpgsm はこの証明書で署名したメールをすべて拒否するため使えません（再発行を受けてください）。`,
  },
  decision: {
    signed: (p) => `${p.email} の証明書で署名`,
    'bcc-copy': () => 'インテリジェント BCC による転送コピーです。BCC コピーには署名しません。',
    'header-exception': (p) => `ヘッダーによる例外 #${p.id}：${p.header}「${p.value}」が ${p.pattern} に一致`,
    'already-secured': (p) => `メッセージはすでに ${p.contentType} です。再署名しません。`,
    'destination-exception': (p) => `宛先による例外 #${p.id}：${p.pattern} に一致`,
    'no-certificate': (p) =>
      p.sender
        ? `構成「${p.composition}」に ${p.sender} の証明書が設定されていません`
        : 'メッセージに From アドレスも MAIL FROM もありません',
    'certificate-expired': (p) => `${p.email} の証明書は${jaDay(p.notAfter)}に期限切れになりました`,
    'certificate-not-yet-valid': (p) => `${p.email} の証明書は${jaDay(p.notBefore)}から有効です`,
  },
  verify: {
    'not-signed-data': () => '署名部分が CMS SignedData ではありません。',
    'no-signed-content': () => '分離署名ですが、署名された内容が見つかりません。',
    'no-signer': () => '署名者がいません。',
    'signer-certificate-missing': () => '署名者の証明書が署名に含まれていません。',
    'unsupported-digest': () => '対応していないダイジェストアルゴリズムです。',
    'ess-hash-mismatch': () => 'ESS 署名証明書のハッシュが署名者の証明書と一致しません。',
    'no-message-digest': () => '署名属性にメッセージダイジェストがありません。',
    'content-type-not-data': () => '署名された内容の種類が id-data ではありません。',
    'content-changed': () => 'メッセージダイジェストが一致しません。署名後に内容が変更されています。',
    'unsupported-signature-algorithm': () => '対応していない署名アルゴリズムです。',
    'bad-signature': () => '署名値が署名者の公開鍵で検証できません。',
    'certificate-not-valid-at': (p) => `証明書「${p.subject}」は ${p.at} の時点で有効ではありませんでした。`,
    'anchor-not-valid-at': () => '信頼アンカーは署名時点で有効ではありませんでした。',
    'chain-incomplete': () => '証明書チェーンが指定された信頼アンカーにつながりません。',
    'issuer-not-ca': (p) => `「${p.subject}」は証明書に署名していますが CA ではありません。`,
    'chain-too-long': () => '証明書チェーンが長すぎます。',
    'encapsulated-content-in-detached': () =>
      '分離署名なのに署名自体にも内容が含まれています（RFC 8551 で禁止）。メールクライアントが表示する内容と検証する内容が異なる可能性があります。',
    'pss-parameters-invalid': () =>
      'RSASSA-PSS のパラメーターが不正か、ダイジェストアルゴリズムと異なるハッシュを指定しているか、鍵の制限に反しています。',
    'explicit-ec-parameters': (p) =>
      `証明書「${p.subject}」は楕円曲線をパラメーターで記述しています。OpenSSL、Thunderbird（NSS）、gpgsm はこの署名を拒否します。`,
    'signing-time-outside-validity': (p) =>
      `署名時刻 ${p.at} が署名者の証明書の有効期間（${p.notBefore}～${p.notAfter}）の外です。`,
    'key-usage-forbids-signing': (p) =>
      `署名者の証明書のキー使用法（${list(p.usages, '、')}）に digitalSignature も nonRepudiation もありません。`,
    'eku-not-email-protection': (p) =>
      `「${p.subject}」の拡張キー使用法（${list(p.usages, '、')}）はメールの保護を許可していません。`,
    'certificate-revoked': (p) => `証明書「${p.subject}」は ${p.date} に失効しています。`,
    'crl-missing': (p) => `指定された CRL に署名者の発行者「${p.issuer}」のものがありません。`,
    'crl-invalid': (p) => `「${p.issuer}」の CRL はその発行者の署名がありません。`,
    'crl-expired': (p) => `「${p.issuer}」の CRL は ${p.nextUpdate} に期限切れになっています。`,
    'crl-not-yet-valid': (p) => `「${p.issuer}」の CRL は ${p.thisUpdate} まで有効になりません。`,
    'signer-not-from': (p) =>
      `署名者（${p.signers.length > 0 ? list(p.signers, '、') : 'メールアドレスなし'}）は From のアドレス ${p.from} ではありません。`,
    'no-from': () => 'メッセージに署名者と照合する From アドレスがありません。',
    'multiple-from-fields': (p) =>
      `メッセージに From ヘッダーが${p.count}個あります。メールクライアントは照合したものとは別の From を表示する可能性があります。`,
    'multiple-from-addresses': (p) => `From に複数のアドレスがあります（${list(p.addresses, '、')}）。`,
  },
  reflect: {
    'certificate-expired': (p) =>
      `${p.email} の証明書は${jaDay(p.date)}に期限切れです。このアドレスのメールは 451 で拒否されます。`,
    'certificate-expiring': (p) => `${p.email} の証明書はあと${p.days}日で期限切れになります。`,
    'certificate-not-yet-valid': (p) =>
      `${p.email} の証明書は${jaDay(p.date)}まで有効になりません。それまでこのアドレスのメールは 451 で拒否されます。`,
    'no-certificate': () => 'この構成には証明書が1つもチェックされていません。サーバーは何も署名しません。',
    'matches-everything': (p) =>
      p.kind === 'destination'
        ? `宛先による例外 #${p.id}（${p.pattern}）はすべての一般的なアドレスに一致します。すべてのメールが署名なしで送信されます。`
        : `ヘッダーによる例外 #${p.id}（${p.header}: ${p.pattern}）はすべての一般的な値に一致します。すべてのメールが署名なしで送信されます。`,
  },
};

const TABLES: Record<Lang, Tables> = { en, ja };

function render<P>(table: Table<P>, m: { code: keyof P; params: P[keyof P] }): string {
  return (table[m.code] as (p: P[keyof P]) => string)(m.params);
}

export function warningText(w: CertWarning, lang: Lang = 'en'): string {
  return render(TABLES[lang].warning, w);
}

/** Exactly why a recipient is signed, unsigned or rejected. */
export function decisionText(d: Decision, lang: Lang = 'en'): string {
  return render(TABLES[lang].decision, { code: d.reason, params: d.params });
}

export function verifyFailureText(f: VerifyFailure, lang: Lang = 'en'): string {
  return render(TABLES[lang].verify, f);
}

export function reflectWarningText(w: ReflectWarning, lang: Lang = 'en'): string {
  return render(TABLES[lang].reflect, w);
}
