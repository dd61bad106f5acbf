import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { MailTransport } from './mail-transport';
import { SmtpTransport } from './smtp-transport';
import { TemplateRenderer } from './template-renderer';
import { SigningTransport } from './signing-transport';
import { DkimSigner } from './dkim-signer';
import { BounceReferences } from './bounce-reference';

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

/** templates/ sits at the repository root, beside both src/ and dist/. */
export const TEMPLATES_DIR = join(__dirname, '..', '..', 'templates');

@Global()
@Module({
  providers: [
    {
      provide: MAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailTransport => {
        const smtp = new SmtpTransport({ url: config.smtp.url, maxConnections: config.smtp.poolSize, requireTls: config.smtp.requireTls, ca: config.smtp.ca });
        return config.dkim ? new SigningTransport(smtp, new DkimSigner(config.dkim)) : smtp;
      },
    },
    {
      provide: BounceReferences,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new BounceReferences(config.tokenSecret, config.bounces.domain),
    },
    {
      provide: TemplateRenderer,
      inject: [APP_CONFIG],
      // Compiled once at start-up; a missing template stops the boot (fail fast on wiring).
      useFactory: (config: AppConfig) =>
        TemplateRenderer.compile(TEMPLATES_DIR, { siteUrl: config.publicBaseUrl, watch: config.env === 'development' }),
    },
  ],
  exports: [MAIL_TRANSPORT, TemplateRenderer, BounceReferences],
})
export class MailModule implements OnApplicationShutdown {
  constructor(@Inject(MAIL_TRANSPORT) private readonly transport: MailTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
