/** MIME for signing (RFC 5322, RFC 2045/2046, RFC 8551 §3.1), in four parts. */
export * from './parse';
export * from './transport';
export * from './encoding';
export * from './entity';
