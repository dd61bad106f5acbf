import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpErrorFilter } from '../http/http-error.filter';
import { renderErrorPage } from './error-page';
import { sendPage, wantsHtml } from './respond';

/**
 * For routes a browser reaches: errors a browser caused (a rate limit, a broken form
 * body) become a readable page; API clients keep the JSON error shape.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(PageErrorFilter.name);
  private readonly json = new HttpErrorFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (res.headersSent || !wantsHtml(req)) {
      this.json.catch(exception, host);
      return;
    }
    const status = statusOf(exception);
    if (status >= 500) this.logger.error({ err: (exception as Error)?.message, msg: 'unhandled error on a page' });
    const retryAfter = Number(res.getHeader('Retry-After'));
    sendPage(res, status, renderErrorPage(status, Number.isFinite(retryAfter) ? retryAfter : undefined));
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const parserStatus = (exception as { status?: unknown } | null)?.status;
  return typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500 ? parserStatus : 500;
}
