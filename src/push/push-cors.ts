import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';

const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';
const ALLOWED_HEADERS = 'Content-Type, Authorization';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS headers for the push endpoints: only an origin listed in PUSH_ALLOWED_ORIGINS
 * (the news site whose pages register readers) may read the answers from a browser.
 * No credentials: nothing here rides on cookies, a subscription is managed by its token.
 */
export function pushCorsHeaders(origin: string | undefined, preflight: boolean, allowedOrigins: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin === undefined || !allowedOrigins.includes(origin)) return headers;
  headers['Access-Control-Allow-Origin'] = origin;
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = ALLOWED_METHODS;
    headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = String(PREFLIGHT_MAX_AGE_SECONDS);
  }
  return headers;
}

/** Answers preflights itself (404 while push is off, like every push endpoint) and adds the headers to the rest. */
@Injectable()
export class PushCorsMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const push = this.config.push;
    if (!push) {
      next();
      return;
    }
    const preflight = req.method === 'OPTIONS';
    res.set(pushCorsHeaders(req.headers.origin, preflight, push.allowedOrigins));
    if (preflight) {
      res.status(204).end();
      return;
    }
    next();
  }
}
