import { BadRequestException, Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PageErrorFilter } from '../pages/page-error.filter';
import { sendPage, wantsHtml } from '../pages/respond';
import { formToRequest, submittedForm } from './form-fields';
import { KnownTags } from './known-tags';
import { ReaderLinks } from './reader-links';
import { SubscribeRateLimitGuard } from './subscribe-rate-limit.guard';
import { subscriptionRequestSchema, validate } from './subscription-request';
import { SubscriptionsService } from './subscriptions.service';
import { renderConfirmedPage, renderLinkProblemPage } from './views/link-pages';
import { renderCheckInboxPage, renderSubscribePage } from './views/subscribe-page';

const SUBSCRIBE_FIELDS = ['email', 'tags', 'frequency', 'sendHour', 'timezone', 'weekday'] as const;

/** Subscribe (JSON or the page's form) and the double opt-in link. */
@Controller('subscriptions')
@UseFilters(PageErrorFilter)
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly knownTags: KnownTags,
    private readonly links: ReaderLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Always 202 for a well-formed request, known address or not (no enumeration). */
  @Post()
  @UseGuards(SubscribeRateLimitGuard)
  async subscribe(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fromForm = wantsHtml(req);
    const result = validate(subscriptionRequestSchema, fromForm ? formToRequest(body, SUBSCRIBE_FIELDS) : body);
    if (!result.ok) {
      if (!fromForm) throw new BadRequestException(result.message);
      const knownTags = await this.knownTags.list();
      sendPage(res, 400, renderSubscribePage({ knownTags, values: submittedForm(body), errors: result.errors, push: this.config.push !== null }));
      return;
    }
    await this.subscriptions.subscribe(result.value);
    if (fromForm) sendPage(res, 202, renderCheckInboxPage());
    else res.status(202).json({ status: 'pending' });
  }

  @Get('confirm')
  async confirm(@Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const outcome = await this.subscriptions.confirm(token);
    if (!outcome.ok) {
      sendPage(res, 400, renderLinkProblemPage(outcome.failure, 'confirm'));
      return;
    }
    const { subscriber } = outcome;
    sendPage(
      res,
      200,
      renderConfirmedPage({
        alreadyConfirmed: outcome.alreadyConfirmed,
        tags: subscriber.tags,
        timezone: subscriber.timezone,
        nextDigestAt: subscriber.nextDigestAt,
        preferencesToken: this.links.token('preferences', subscriber),
      }),
    );
  }
}
