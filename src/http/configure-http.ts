import type { IncomingMessage, Server } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { AppConfig } from '../config/config';
import { HttpErrorFilter } from './http-error.filter';

/**
 * Idle keep-alive connections stay open longer than a load balancer's idle timeout
 * (60 s on the common ones): with Node's 5 s default, the service closes a connection
 * the balancer is about to reuse, and the reader gets a 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * HTTP concerns shared by every route: security headers, body limits, keep-alive,
 * error shape, and which proxies may name the client (TRUST_PROXY, so req.ip is the
 * reader's address behind them and the TCP peer's otherwise).
 */
export function configureHttp(app: NestExpressApplication, trustProxy: AppConfig['trustProxy']): void {
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Must exceed keepAliveTimeout, or a request arriving on an idle connection can be cut off.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'https:', 'data:'],
          'frame-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
    }),
  );
  // Relays sign the exact bytes they send (SNS even sends JSON as text/plain): webhooks get them raw.
  app.useBodyParser('raw', { type: (req: IncomingMessage) => (req.url ?? '').startsWith('/webhooks/'), limit: '1mb' });
  app.useBodyParser('json', { limit: '256kb' });
  app.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  app.useGlobalFilters(new HttpErrorFilter());
}
