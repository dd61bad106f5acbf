import { BadRequestException, Controller, Headers, HttpCode, Inject, NotFoundException, Post, Req, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/config';
import { Clock } from '../../common/clock';
import { MetricsService } from '../../metrics/metrics.service';
import { FeedbackEvent, FeedbackSource } from '../feedback-event';
import { FeedbackService } from '../feedback.service';
import { mailgunEvents } from './mailgun-webhook';
import { checkPostmarkAuth, postmarkEvents } from './postmark-webhook';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, SendgridWebhook } from './sendgrid-webhook';
import { SesWebhook } from './ses-webhook';
import { WebhookMalformed, WebhookUnauthorized } from './webhook-errors';
import { SNS_HOST_PATTERN } from './sns-hosts';

export interface WebhookAnswer {
  /** Events that changed something; the rest were repeats, about unknown messages, or not about us. */
  applied: number;
  received: number;
}

/**
 * The relays' delivery-event webhooks: thin adapters that check the relay's proof, turn its
 * payload into feedback events and hand them to the one pipeline. Unconfigured: 404.
 * The body arrives as raw bytes (see configure-http), since signatures cover the exact bytes.
 */
@Controller('webhooks')
export class WebhooksController {
  private readonly sendgrid?: SendgridWebhook;
  private readonly sesWebhook?: SesWebhook;

  constructor(
    private readonly feedback: FeedbackService,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SNS_HOST_PATTERN) snsHosts: RegExp,
  ) {
    const { sendgridPublicKey, sesTopicArns } = config.webhooks;
    if (sendgridPublicKey) this.sendgrid = new SendgridWebhook(sendgridPublicKey);
    if (sesTopicArns.length > 0) this.sesWebhook = new SesWebhook(sesTopicArns, snsHosts);
  }

  @Post('ses')
  @HttpCode(200)
  async sesNotifications(@Req() req: Request): Promise<WebhookAnswer | { status: string }> {
    const ses = this.sesWebhook;
    if (!ses) throw new NotFoundException();
    const outcome = await this.guard('ses', () => ses.handle(body(req)));
    if (outcome.kind !== 'events') return { status: outcome.kind };
    return this.apply(outcome.events);
  }

  @Post('sendgrid')
  @HttpCode(200)
  async sendgridEvents(
    @Req() req: Request,
    @Headers(SENDGRID_SIGNATURE_HEADER) signature?: string,
    @Headers(SENDGRID_TIMESTAMP_HEADER) timestamp?: string,
  ): Promise<WebhookAnswer> {
    const sendgrid = this.sendgrid;
    if (!sendgrid) throw new NotFoundException();
    return this.apply(await this.guard('sendgrid', async () => sendgrid.events(body(req), signature, timestamp)));
  }

  @Post('mailgun')
  @HttpCode(200)
  async mailgun(@Req() req: Request): Promise<WebhookAnswer> {
    const key = this.config.webhooks.mailgunSigningKey;
    if (!key) throw new NotFoundException();
    return this.apply(await this.guard('mailgun', async () => mailgunEvents(body(req), key, this.clock.now())));
  }

  @Post('postmark')
  @HttpCode(200)
  async postmark(@Req() req: Request, @Headers('authorization') authorization?: string): Promise<WebhookAnswer> {
    const credentials = this.config.webhooks.postmark;
    if (!credentials) throw new NotFoundException();
    return this.apply(
      await this.guard('postmark', async () => {
        checkPostmarkAuth(authorization, credentials);
        return postmarkEvents(body(req));
      }),
    );
  }

  /** A relay's proof failing is a 401, a body it would never send a 400; both counted, neither changes anything. */
  private async guard<T>(source: FeedbackSource, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof WebhookUnauthorized) {
        this.metrics.feedbackRejected.inc({ source, reason: 'bad signature' });
        throw new UnauthorizedException(error.message);
      }
      if (error instanceof WebhookMalformed) {
        this.metrics.feedbackRejected.inc({ source, reason: 'unparseable' });
        throw new BadRequestException(error.message);
      }
      throw error;
    }
  }

  private async apply(events: FeedbackEvent[]): Promise<WebhookAnswer> {
    const outcomes = await this.feedback.apply(events);
    return { received: events.length, applied: outcomes.filter((outcome) => outcome.status === 'applied').length };
  }
}

function body(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
