import { BadRequestException, Body, ConflictException, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { EditorAuthGuard, EditorRequest } from '../editors/editor-auth.guard';
import { isAlertId, parseAlertPreviewRequest, parseCreateAlertRequest, parseIdempotencyKey } from './alert-request';
import { AlertPreview, AlertPreviewResult } from './alert-preview';
import { AlertReport } from './alert-report';
import { AlertStatus } from './alert-status';
import { AlertAlreadySentError, AlertNotFoundError, CancelAlert, CancelledAlert } from './cancel-alert';
import { AlertRefusedError, ArticleNotFoundError } from './create-alert';
import { requestHash } from './idempotency';
import { AlertAnswer, IdempotencyConflictError, IdempotentAlertRequests } from './idempotent-alert-requests';
import { SendAlert } from './send-alert';

/**
 * Editor endpoints for breaking alerts (CONTRACT.md "HTTP API"). The guard runs
 * before the body is looked at, so a request without a valid key queues nothing.
 *
 * POST /alerts always answers 202 {"alertId","recipients"}: for a new alert and
 * for an article that already has one (idempotent; that alert is returned and
 * nothing is queued again). `"resend": true` makes a new alert regardless; so does
 * every `"test": true`. With an Idempotency-Key, a repeat of the same request
 * answers as the first did.
 */
@Controller('alerts')
@UseGuards(EditorAuthGuard)
export class AlertsController {
  constructor(
    private readonly sendAlert: SendAlert,
    private readonly idempotent: IdempotentAlertRequests,
    private readonly preview: AlertPreview,
    private readonly status: AlertStatus,
    private readonly cancelAlert: CancelAlert,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(@Body() body: unknown, @Req() req: EditorRequest): Promise<AlertAnswer> {
    const parsed = parseCreateAlertRequest(body);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    const key = parseIdempotencyKey(req.headers['idempotency-key']);
    if (!key.ok) throw new BadRequestException(key.message);
    const sentBy = req.editorKeyId ?? 'unknown';
    const send = async (): Promise<AlertAnswer> => {
      const { alertId, recipients } = await this.sendAlert.execute({ request: parsed.data, sentBy });
      return { alertId, recipients };
    };
    return asHttpErrors(() => (key.data === null ? send() : this.idempotent.run({ editorKeyId: sentBy, key: key.data }, requestHash(parsed.data), send)));
  }

  // Declared before :id so "preview" is never taken for an alert id.
  @Get('preview')
  async showPreview(@Query() query: unknown): Promise<AlertPreviewResult> {
    const parsed = parseAlertPreviewRequest(query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    return asHttpErrors(() => this.preview.execute(parsed.data));
  }

  @Get(':id')
  async show(@Param('id') id: string): Promise<AlertReport> {
    if (!isAlertId(id)) throw new BadRequestException('id: must be an alert id (a uuid)');
    const report = await this.status.of(id);
    if (!report) throw new NotFoundException(`alert ${id} does not exist`);
    return report;
  }

  @Delete(':id')
  async cancel(@Param('id') id: string, @Req() req: EditorRequest): Promise<CancelledAlert> {
    if (!isAlertId(id)) throw new BadRequestException('id: must be an alert id (a uuid)');
    return asHttpErrors(() => this.cancelAlert.execute(id, req.editorKeyId ?? 'unknown'));
  }
}

/** The alert use cases' errors, as the contract's 4xx. */
async function asHttpErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ArticleNotFoundError || error instanceof AlertNotFoundError) throw new NotFoundException(error.message);
    if (error instanceof AlertRefusedError) throw new BadRequestException(error.message);
    if (error instanceof IdempotencyConflictError || error instanceof AlertAlreadySentError) throw new ConflictException(error.message);
    throw error;
  }
}
