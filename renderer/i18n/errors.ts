/** One table from error code to text, in both languages. A new code that lacks text does not compile. */
import type { ErrorCode } from '../../main/contract';

export const ERROR_TEXT: Record<ErrorCode, { en: string; ja: string }> = {
  FILE_UNREADABLE: { en: 'The file cannot be read.', ja: 'ファイルを読み込めません。' },
  FILE_TOO_LARGE: { en: 'The file is too large.', ja: 'ファイルが大きすぎます。' },
  OUTPUT_UNWRITABLE: { en: 'The file cannot be written.', ja: 'ファイルを書き込めません。' },
  P12_NOT_PKCS12: { en: 'This is not a PKCS#12 file.', ja: 'PKCS#12 ファイルではありません。' },
  P12_CORRUPT: { en: 'The PKCS#12 file is damaged.', ja: 'PKCS#12 ファイルが壊れています。' },
  P12_WRONG_PASSWORD: { en: 'The PKCS#12 password is wrong.', ja: 'PKCS#12 のパスワードが違います。' },
  P12_NO_KEY: { en: 'The file has no private key.', ja: 'ファイルに秘密鍵が含まれていません。' },
  P12_NO_CERTIFICATE: { en: 'The file has no certificate.', ja: 'ファイルに証明書が含まれていません。' },
  P12_KEY_MISMATCH: { en: 'The private key does not belong to the certificate.', ja: '秘密鍵が証明書と一致しません。' },
  P12_UNSUPPORTED: {
    en: 'This kind of PKCS#12 file is not supported.',
    ja: 'この形式の PKCS#12 ファイルには対応していません。',
  },
  KEY_UNSUPPORTED: { en: 'This key type is not supported.', ja: 'この種類の鍵には対応していません。' },
  MESSAGE_INVALID: { en: 'The message is not a valid mail message.', ja: '正しいメールメッセージではありません。' },
  MESSAGE_ALREADY_SMIME: {
    en: 'The message is already signed or encrypted.',
    ja: 'メッセージはすでに署名または暗号化されています。',
  },
  NOT_SIGNED: { en: 'The message is not signed.', ja: 'メッセージは署名されていません。' },
  SIGNATURE_MALFORMED: { en: 'The signature is damaged.', ja: '署名が壊れています。' },
  USAGE: { en: 'The request is not valid.', ja: '要求が正しくありません。' },
  SECRET_MISSING: {
    en: 'The keychain has no password for this certificate.',
    ja: 'キーチェーンにこの証明書のパスワードがありません。',
  },
  KEYCHAIN_UNAVAILABLE: {
    en: 'The OS keychain is not available. Passwords are never stored anywhere else.',
    ja: 'OS のキーチェーンを使えません。パスワードを他の場所に保存することはありません。',
  },
  KEYCHAIN_TIMEOUT: {
    en: 'The OS keychain did not answer. Unlock it and try again.',
    ja: 'OS のキーチェーンが応答しません。ロックを解除して再試行してください。',
  },
  STORE_CORRUPT: {
    en: 'The settings file is damaged. It was not changed; a copy was kept.',
    ja: '設定ファイルが壊れています。変更はしておらず、コピーを保存しました。',
  },
  STORE_LOCKED: { en: 'The settings file is in use.', ja: '設定ファイルは使用中です。' },
  EMAIL_NOT_IN_CERTIFICATE: {
    en: 'The address is not in the certificate.',
    ja: 'アドレスが証明書に含まれていません。',
  },
  EMAIL_INVALID: { en: 'That is not a mail address.', ja: 'メールアドレスの形式ではありません。' },
  CERT_EXISTS: {
    en: 'A certificate for this address is already registered. Renew it instead.',
    ja: 'このアドレスの証明書は登録済みです。更新してください。',
  },
  CERT_NOT_FOUND: {
    en: 'No certificate is registered for this address.',
    ja: 'このアドレスの証明書は登録されていません。',
  },
  CERT_IN_USE: { en: 'The certificate is still in use.', ja: '証明書はまだ使われています。' },
  ADMIN_PASSWORD_NOT_SET: { en: 'No admin password is set yet.', ja: '管理者パスワードが設定されていません。' },
  ADMIN_PASSWORD_WRONG: { en: 'The admin password is wrong.', ja: '管理者パスワードが違います。' },
  ADMIN_PASSWORD_WEAK: { en: 'The admin password is too short.', ja: '管理者パスワードが短すぎます。' },
  COMPOSITION_EXISTS: { en: 'A composition with this name already exists.', ja: '同じ名前の構成がすでにあります。' },
  COMPOSITION_NOT_FOUND: { en: 'The composition does not exist.', ja: '構成が見つかりません。' },
  NAME_INVALID: { en: 'The name is not valid.', ja: '名前が正しくありません。' },
  PATTERN_INVALID: { en: 'The pattern is not valid.', ja: 'パターンが正しくありません。' },
  HEADER_NAME_INVALID: { en: 'That is not a header field name.', ja: 'ヘッダー名として使えません。' },
  EXCEPTION_NOT_FOUND: { en: 'The exception does not exist.', ja: '例外が見つかりません。' },
  BUNDLE_INVALID: { en: 'The bundle is damaged or truncated.', ja: 'バンドルが壊れているか途中で切れています。' },
  BUNDLE_TAMPERED: {
    en: 'The bundle was modified after it was written.',
    ja: 'バンドルは書き出し後に変更されています。',
  },
  BUNDLE_WRONG_PASSPHRASE: { en: 'The bundle passphrase is wrong.', ja: 'バンドルのパスフレーズが違います。' },
  BUNDLE_UNSUPPORTED_VERSION: {
    en: 'This bundle version is not supported.',
    ja: 'このバージョンのバンドルには対応していません。',
  },
  PASSPHRASE_WEAK: { en: 'The passphrase is too short.', ja: 'パスフレーズが短すぎます。' },
  IPC_INVALID: { en: 'The request was refused as malformed.', ja: '要求の形式が正しくないため拒否されました。' },
  IPC_FORBIDDEN: { en: 'The request was refused.', ja: '要求は拒否されました。' },
  IPC_TOO_LARGE: { en: 'The request is too large.', ja: '要求が大きすぎます。' },
  REFLECT_NOT_CONFIRMED: {
    en: 'The reflection needs your confirmation first.',
    ja: '反映する前に確認が必要です。',
  },
  SERVER_UNREACHABLE: { en: 'The server did not answer.', ja: 'サーバーが応答しません。' },
  FILE_TOKEN_UNKNOWN: {
    en: 'That file is no longer available. Choose it again.',
    ja: 'ファイルを使用できません。もう一度選択してください。',
  },
  INTERNAL: { en: 'An unexpected error occurred.', ja: '予期しないエラーが発生しました。' },
};
