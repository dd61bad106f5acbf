import { BadRequestException, Body, Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { EditorAuthGuard, EditorRequest } from '../editors/editor-auth.guard';
import { isAlertId, parseAlertPreviewRequest, parseCreateAlertRequest } from './alert-request';
import { AlertPreview, AlertPreviewResult } from './alert-preview';
import { AlertStatus, CreateAlert, ArticleNotFoundError } from './create-alert';
import { SendAlert } from './send-alert';
import { DeliveryFeedbackRepository, FeedbackCounts } from '../deliveries/delivery-feedback.repository';

/**
 * Editor endpoints for breaking alerts (CONTRACT.md "HTTP API"). The guard runs
 * before the body is looked at, so a request without a valid key queues nothing.
 *
 * POST /alerts always answers 202 {"alertId","recipients"}: for a new alert and
 * for an article that already has one (idempotent; that alert is returned and
 * nothing is queued again). `"resend": true` makes a new alert regardless.
 */
@Controller('alerts')
@UseGuards(EditorAuthGuard)
export class AlertsController {
  constructor(
    private readonly sendAlert: SendAlert,
    private readonly alerts: CreateAlert,
    private readonly preview: AlertPreview,
    private readonly feedback: DeliveryFeedbackRepository,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(@Body() body: unknown, @Req() req: EditorRequest): Promise<{ alertId: string; recipients: number }> {
    const parsed = parseCreateAlertRequest(body);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    const { alertId, recipients } = await notFoundAs404(() =>
      this.sendAlert.execute({ request: parsed.data, sentBy: req.editorKeyId ?? 'unknown' }),
    );
    return { alertId, recipients };
  }

  // Declared before :id so "preview" is never taken for an alert id.
  @Get('preview')
  async showPreview(@Query() query: unknown): Promise<AlertPreviewResult> {
    const parsed = parseAlertPreviewRequest(query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    return notFoundAs404(() => this.preview.execute(parsed.data));
  }

  @Get(':id')
  async show(@Param('id') id: string): Promise<AlertStatus & FeedbackCounts> {
    if (!isAlertId(id)) throw new BadRequestException('id: must be an alert id (a uuid)');
    const status = await this.alerts.status(id);
    if (!status) throw new NotFoundException(`alert ${id} does not exist`);
    // Bounces and complaints arrive after the sending is over, from delivery feedback.
    return { ...status, ...(await this.feedback.countsForAlert(id)) };
  }
}

async function notFoundAs404<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ArticleNotFoundError) throw new NotFoundException(error.message);
    throw error;
  }
}
