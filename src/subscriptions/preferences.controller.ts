import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PageErrorFilter } from '../pages/page-error.filter';
import { sendPage, wantsHtml } from '../pages/respond';
import { formToRequest, submittedForm } from './form-fields';
import { KnownTags } from './known-tags';
import { ReaderLinks } from './reader-links';
import { Subscriber } from './subscribers.repository';
import { FieldError, preferencesUpdateSchema, validate, weekdayName } from './subscription-request';
import { alertLimitsOf, LinkFailure, preferencesOf, SubscriptionsService } from './subscriptions.service';
import { renderErasedPage, renderLinkProblemPage } from './views/link-pages';
import { PreferenceValues } from './views/preference-fields';
import { renderPreferencesPage } from './views/preferences-page';

const PREFERENCE_FIELDS = ['tags', 'frequency', 'sendHour', 'timezone', 'weekday', 'quietHours', 'maxAlertsPerDay'] as const;

/** The preference centre: read, change, and erase — each behind the reader's preferences link. */
@Controller('preferences')
@UseFilters(PageErrorFilter)
export class PreferencesController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly knownTags: KnownTags,
    private readonly links: ReaderLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async show(@Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const outcome = await this.subscriptions.preferences(token);
    if (!outcome.ok) {
      sendPage(res, 400, renderLinkProblemPage(outcome.failure, 'preferences'));
      return;
    }
    sendPage(res, 200, await this.page(outcome.subscriber, { values: storedValues(outcome.subscriber) }));
  }

  /** The page's form (urlencoded, every field) or JSON (any subset); answers in kind. */
  @Post()
  async update(@Query('token') token: unknown, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fromForm = wantsHtml(req);
    const result = validate(preferencesUpdateSchema, fromForm ? formToRequest(body, PREFERENCE_FIELDS) : body);
    if (!result.ok) {
      if (!fromForm) throw new BadRequestException(result.message);
      const current = await this.subscriptions.preferences(token);
      if (!current.ok) return this.linkProblem(res, current.failure, true);
      const submitted = submittedForm(body);
      sendPage(res, 400, await this.page(current.subscriber, { values: submitted, errors: result.errors }));
      return;
    }
    const outcome = await this.subscriptions.updatePreferences(token, result.value);
    if (!outcome.ok) return this.linkProblem(res, outcome.failure, fromForm);
    const { subscriber } = outcome;
    if (fromForm) {
      sendPage(res, 200, await this.page(subscriber, { values: storedValues(subscriber), saved: true }));
      return;
    }
    res.status(200).json({
      status: 'saved',
      preferences: { ...preferencesOf(subscriber), weekday: weekdayName(subscriber.weekday), ...alertLimitsOf(subscriber) },
      nextDigestAt: subscriber.nextDigestAt,
    });
  }

  /** Right to erasure: the row goes, only the address's hash stays (to keep it unsubscribed). */
  @Post('erase')
  @HttpCode(200)
  async erase(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fromForm = wantsHtml(req);
    const outcome = await this.subscriptions.erase(token);
    if (!outcome.ok) return this.linkProblem(res, outcome.failure, fromForm);
    if (fromForm) sendPage(res, 200, renderErasedPage());
    else res.status(200).json({ status: 'erased' });
  }

  private async page(subscriber: Subscriber, options: { values: PreferenceValues; saved?: boolean; errors?: readonly FieldError[] }): Promise<string> {
    return renderPreferencesPage({
      email: subscriber.email,
      status: subscriber.status,
      nextDigestAt: subscriber.nextDigestAt,
      knownTags: await this.knownTags.list(),
      preferencesToken: this.links.token('preferences', subscriber),
      unsubscribeToken: this.links.token('unsubscribe', subscriber),
      storedTags: subscriber.tags,
      push: this.config.push !== null,
      ...options,
    });
  }

  private linkProblem(res: Response, failure: LinkFailure, asPage: boolean): void {
    if (asPage) sendPage(res, 400, renderLinkProblemPage(failure, 'preferences'));
    else throw new BadRequestException(`token: ${LINK_FAILURE_MESSAGES[failure]}`);
  }
}

/** What the form shows for a reader's stored choices. */
function storedValues(subscriber: Subscriber): PreferenceValues {
  const { quietHoursStart, quietHoursEnd, maxAlertsPerDay } = subscriber;
  return { ...preferencesOf(subscriber), quietHoursStart, quietHoursEnd, maxAlertsPerDay };
}

export const LINK_FAILURE_MESSAGES: Record<LinkFailure, string> = {
  invalid: 'is not a valid link token',
  expired: 'has expired',
  revoked: 'is no longer valid',
};
