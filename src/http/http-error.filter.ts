import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';

/**
 * One error shape for the whole API: {"statusCode", "error", "message"}.
 * Anything that is not an HttpException is a bug: 500 with no detail leaked.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : messageOf(body) ?? exception.message;
      res.status(statusCode).json({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
      return;
    }
    // Body-parser errors (malformed JSON, too large) carry their own status.
    const parserStatus = (exception as { status?: unknown; type?: unknown })?.status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      res.status(parserStatus).json({ statusCode: parserStatus, error: STATUS_CODES[parserStatus], message: bodyParserMessage(exception) });
      return;
    }
    this.logger.error({ err: (exception as Error)?.message, msg: 'unhandled error' });
    const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
    res.status(statusCode).json({ statusCode, error: STATUS_CODES[statusCode], message: 'Internal server error' });
  }
}

function messageOf(body: object): string | undefined {
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return undefined;
}

function bodyParserMessage(exception: unknown): string {
  const type = (exception as { type?: unknown }).type;
  if (type === 'entity.too.large') return 'request body is too large';
  if (type === 'entity.parse.failed') return 'request body is not valid JSON';
  return 'request body could not be read';
}
