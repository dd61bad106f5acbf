import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { HttpErrorFilter } from './http-error.filter';

/** HTTP concerns shared by every route: security headers, body limits, error shape. */
export function configureHttp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', false);
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
  app.useBodyParser('json', { limit: '256kb' });
  app.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  app.useGlobalFilters(new HttpErrorFilter());
}
