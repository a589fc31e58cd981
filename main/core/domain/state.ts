/**
 * The admin state document: what the settings file holds. No secret is ever part of it:
 * p12 passwords live in the OS keychain, p12 bytes in files of mode 0600 beside it.
 */
import type { CertificateInfo, CertWarning, DestinationException, HeaderException, Settings } from '../../contract';

export type { DestinationException, HeaderException, Settings };

export const STATE_VERSION = '1.1.0';

export interface AdminPasswordHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

/** A registered certificate: the inspection's public fields, where its secret lives, and when it changed. */
export interface CertRecord extends Pick<
  CertificateInfo,
  | 'subject'
  | 'commonName'
  | 'issuer'
  | 'issuerCommonName'
  | 'serial'
  | 'notBefore'
  | 'notAfter'
  | 'fingerprintSha256'
  | 'keyType'
  | 'keyBits'
> {
  id: string;
  email: string;
  /** bumped by every renewal; names the p12 file and the keychain account */
  version: number;
  fileName: string;
  /** how many certificates of the chain the file carries */
  chainLength?: number;
  /** public certificate and chain as PEM, in records written before they moved to certs/<file>.pem */
  certificatePem?: string;
  chainPem?: string[];
  /** the inspection's warnings that do not depend on the moment (expiry ones are computed when shown) */
  warnings?: CertWarning[];
  addedAt: string;
  updatedAt: string;
}

/** What a composition means to a mail server: compared to find pending changes. */
export interface CompositionSnapshot {
  /** the name the servers know (absent in states written before renames were tracked) */
  name?: string;
  certificates: { email: string; fingerprintSha256: string }[];
  destinationExceptions: { pattern: string }[];
  headerExceptions: { header: string; pattern: string }[];
  intelligentBcc: boolean;
}

export interface Reflection {
  at: string;
  /** the bundle's reflection number (absent before bundle format 2) */
  serial?: number;
  bundleFile: string;
  bundleFingerprint: string;
  snapshot: CompositionSnapshot;
}

export interface Composition {
  id: string;
  name: string;
  certificateIds: string[];
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
  intelligentBcc: boolean;
  nextExceptionId: number;
  createdAt: string;
  updatedAt: string;
  lastReflection: Reflection | null;
  /** the folder the relays watch; every reflection is also written there, atomically */
  publishDir?: string | null;
  /** status URLs of the relays that run this composition */
  servers?: string[];
}

export interface AdminState {
  adminPassword: AdminPasswordHash | null;
  settings: Settings;
  certificates: CertRecord[];
  compositions: Composition[];
}

export const DEFAULT_SETTINGS: Settings = { warnDays: [30, 7], language: null };

export function emptyState(): AdminState {
  return {
    adminPassword: null,
    settings: { ...DEFAULT_SETTINGS, warnDays: [...DEFAULT_SETTINGS.warnDays] },
    certificates: [],
    compositions: [],
  };
}

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const int = { type: 'integer', minimum: 0 } as const;

/** JSON schema (draft 2020-12) of every top-level key, checked on load and on save. */
export const STATE_SCHEMA = {
  adminPassword: {
    type: ['object', 'null'],
    required: ['algorithm', 'N', 'r', 'p', 'salt', 'hash'],
    properties: { algorithm: { const: 'scrypt' }, N: int, r: int, p: int, salt: str, hash: str },
    additionalProperties: false,
  },
  settings: {
    type: 'object',
    required: ['warnDays', 'language'],
    properties: {
      warnDays: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 365 }, minItems: 1, maxItems: 3 },
      language: { enum: ['en', 'ja', null] },
    },
    additionalProperties: false,
  },
  certificates: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'email', 'version', 'fileName', 'notBefore', 'notAfter', 'fingerprintSha256'],
      properties: {
        id: str,
        email: str,
        version: int,
        fileName: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' },
        subject: str,
        commonName: str,
        issuer: str,
        issuerCommonName: str,
        serial: str,
        notBefore: str,
        notAfter: str,
        fingerprintSha256: str,
        keyType: { enum: ['RSA', 'EC'] },
        keyBits: int,
        chainLength: int,
        warnings: { type: 'array', items: { type: 'object' } },
        certificatePem: str,
        chainPem: { type: 'array', items: str },
        addedAt: str,
        updatedAt: str,
      },
      additionalProperties: false,
    },
  },
  compositions: {
    type: 'array',
    items: {
      type: 'object',
      required: [
        'id',
        'name',
        'certificateIds',
        'destinationExceptions',
        'headerExceptions',
        'intelligentBcc',
        'nextExceptionId',
      ],
      properties: {
        id: str,
        name: str,
        certificateIds: { type: 'array', items: str },
        destinationExceptions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'pattern', 'enabled', 'isDefault'],
            properties: {
              id: int,
              pattern: str,
              enabled: bool,
              isDefault: bool,
              preset: { enum: ['feature-phone', 'smartphone'] },
              note: str,
            },
            additionalProperties: false,
          },
        },
        headerExceptions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'header', 'pattern', 'enabled', 'isDefault'],
            properties: { id: int, header: str, pattern: str, enabled: bool, isDefault: bool, note: str },
            additionalProperties: false,
          },
        },
        intelligentBcc: bool,
        nextExceptionId: int,
        createdAt: str,
        updatedAt: str,
        lastReflection: { type: ['object', 'null'] },
        publishDir: { type: ['string', 'null'] },
        servers: { type: 'array', items: str, maxItems: 50 },
      },
      additionalProperties: false,
    },
  },
} as const;
