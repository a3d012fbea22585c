import type { Context } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { OmniError } from '@omni/plugin-sdk';

export interface RateLimitConfig {
  /** Requests per window per API key (per client address without a key); 0 turns limiting off. */
  points: number;
  windowSeconds: number;
}

/** Fixed-window limits per caller, announced on every response (seed 003 headers). */
export class RateLimit {
  private readonly limiter: RateLimiterMemory | undefined;

  constructor(private readonly config: RateLimitConfig) {
    this.limiter = config.points > 0 ? new RateLimiterMemory({ points: config.points, duration: config.windowSeconds }) : undefined;
  }

  /** Counts one request for `caller`, sets the X-RateLimit-* headers, throws 429 RATE_LIMITED when over. */
  async consume(ctx: Context, caller: string): Promise<void> {
    if (!this.limiter) return;
    let res: RateLimiterRes;
    let limited = false;
    try {
      res = await this.limiter.consume(caller);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      res = err;
      limited = true;
    }
    const resetSeconds = Math.ceil(res.msBeforeNext / 1000);
    ctx.set('X-RateLimit-Limit', String(this.config.points));
    ctx.set('X-RateLimit-Remaining', String(Math.max(0, res.remainingPoints)));
    ctx.set('X-RateLimit-Reset', String(Math.ceil(Date.now() / 1000) + resetSeconds));
    if (limited) {
      ctx.set('Retry-After', String(resetSeconds));
      throw new OmniError('RATE_LIMITED', `rate limit of ${this.config.points} requests per ${this.config.windowSeconds} s exceeded; retry in ${resetSeconds} s`, {
        details: { limit: this.config.points, windowSeconds: this.config.windowSeconds, retryAfterSeconds: resetSeconds },
      });
    }
  }
}
