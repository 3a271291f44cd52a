/**
 * Bearer tokens from ZKGPU_API_TOKENS (comma-separated), and the rule that a server without tokens
 * listens on loopback only. Tokens are compared through their SHA-256 digests with
 * timingSafeEqual, against every token every time, so neither the length nor the first differing
 * byte of a guess shows in the response time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ServeError } from './errors.js';

export const TOKENS_ENV = 'ZKGPU_API_TOKENS';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenAuth {
  private readonly digests: Buffer[];

  /** Null when the variable is unset (no auth); an error when it is set but names no token. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): TokenAuth | null {
    const raw = env[TOKENS_ENV];
    if (raw === undefined) return null;
    const tokens = raw
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (tokens.length === 0)
      throw new ServeError('CONFIG_INVALID', `${TOKENS_ENV} is set but holds no token (comma-separated list expected); unset it to run without auth on loopback`);
    const short = tokens.findIndex((t) => t.length < 16);
    if (short >= 0) throw new ServeError('CONFIG_INVALID', `${TOKENS_ENV}: token ${short + 1} is ${tokens[short].length} characters; use at least 16 (e.g. openssl rand -hex 32)`);
    return new TokenAuth(tokens);
  }

  private constructor(tokens: string[]) {
    this.digests = tokens.map(digest);
  }

  get count(): number {
    return this.digests.length;
  }

  /** True when the Authorization header is `Bearer <one of the tokens>`. */
  check(authorization: string | undefined): boolean {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    const given = digest(m ? m[1] : '');
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok && m !== null;
  }
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses a non-loopback bind without tokens: an open prover on a network is anyone's prover. */
export function checkBind(host: string, auth: TokenAuth | null): void {
  if (auth === null && !isLoopbackHost(host)) {
    throw new ServeError(
      'INSECURE_BIND',
      `refusing to listen on ${host} without authentication: set ${TOKENS_ENV}=token1,token2 (clients then send "Authorization: Bearer <token>"), or listen on 127.0.0.1`,
    );
  }
}
