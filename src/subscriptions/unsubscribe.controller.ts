import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PageErrorFilter } from '../pages/page-error.filter';
import { prefersHtml, sendPage } from '../pages/respond';
import { LINK_FAILURE_MESSAGES } from './preferences.controller';
import { ReaderLinks } from './reader-links';
import { LinkFailure, SubscriptionsService } from './subscriptions.service';
import { TokenPurpose } from './tokens';
import { renderLinkProblemPage, renderUnsubscribedPage, renderUnsubscribePrompt } from './views/link-pages';

/**
 * GET shows a button; POST unsubscribes (RFC 8058 one-click). The POST needs no
 * cookie and ignores its body, so `List-Unsubscribe=One-Click` sent urlencoded or as
 * multipart/form-data, and our own page's form, all work; it answers 200, never a redirect.
 */
@Controller()
@UseFilters(PageErrorFilter)
export class UnsubscribeController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly links: ReaderLinks,
  ) {}

  @Get('unsubscribe')
  async prompt(@Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const outcome = await this.subscriptions.unsubscribeLink(token);
    if (!outcome.ok) {
      sendPage(res, 400, renderLinkProblemPage(outcome.failure, 'unsubscribe'));
      return;
    }
    const { subscriber } = outcome;
    if (subscriber.status === 'unsubscribed') {
      sendPage(res, 200, renderUnsubscribedPage({ alreadyUnsubscribed: true }));
      return;
    }
    sendPage(
      res,
      200,
      renderUnsubscribePrompt({
        unsubscribeToken: this.links.token('unsubscribe', subscriber),
        preferencesToken: this.links.token('preferences', subscriber),
      }),
    );
  }

  @Post('unsubscribe')
  async unsubscribe(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.subscriptions.unsubscribe(token);
    if (!outcome.ok) return this.linkProblem(req, res, outcome.failure, 'unsubscribe');
    if (prefersHtml(req)) sendPage(res, 200, renderUnsubscribedPage(outcome));
    else res.status(200).json({ status: 'unsubscribed' });
  }

  /** Answered here, not thrown: a one-click POST is a form post, yet its sender wants no page. */
  private linkProblem(req: Request, res: Response, failure: LinkFailure, purpose: TokenPurpose): void {
    if (prefersHtml(req)) sendPage(res, 400, renderLinkProblemPage(failure, purpose));
    else res.status(400).json({ statusCode: 400, error: 'Bad Request', message: `token: ${LINK_FAILURE_MESSAGES[failure]}` });
  }
}
