import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig, PushConfig } from '../config/config';
import { Clock } from '../common/clock';
import { bearerKey, editorKeyId, matchEditorKey } from '../editors/editor-keys';
import { checkPushEndpoint } from './push-endpoint';
import { parseCreatePushSubscription, parseUpdatePushSubscription } from './push-subscription-request';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { pushToken, pushTokenNames } from './push-tokens';
import { PUSH_OPT_IN_JS } from './opt-in-script';
import { PushSubscribeRateLimit } from './push-subscribe-rate-limit';
import { SERVICE_WORKER } from './service-worker';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Web push opt-in (CONTRACT.md "Web push"). Everything here answers 404 while the VAPID
 * keys are unset. A subscription's endpoint is checked against PUSH_ENDPOINT_HOSTS
 * before anything is stored, and nothing here ever contacts it.
 */
@Controller('push')
export class PushSubscriptionsController {
  private readonly audit = new Logger('EditorAudit');

  constructor(
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly clock: Clock,
    private readonly rateLimit: PushSubscribeRateLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('key')
  key(): { publicKey: string } {
    return { publicKey: this.push().vapid.publicKey };
  }

  @Get('sw.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  serviceWorker(): string {
    this.push();
    return SERVICE_WORKER;
  }

  /**
   * The opt-in script for a news site's own pages (docs/web-push-snippet.md). A site loads
   * it cross-origin with a plain <script>, which the default same-origin resource policy
   * would block.
   */
  @Get('subscribe.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  optInScript(): string {
    this.push();
    return PUSH_OPT_IN_JS;
  }

  @Post('subscriptions')
  @HttpCode(HttpStatus.CREATED)
  async create(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ id: string; token: string }> {
    const push = this.push();
    const parsed = parseCreatePushSubscription(body);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    // Staff first: a request that claims to be staff without a key learns nothing else.
    if (parsed.data.staff) this.requireEditor(req);
    const endpoint = checkPushEndpoint(parsed.data.endpoint, push.endpointHosts);
    if (!endpoint.ok) throw new BadRequestException(endpoint.reason);
    await this.rateLimit.admit(req, res);
    const id = await this.subscriptions.save({ ...parsed.data, endpoint: endpoint.endpoint });
    return { id, token: pushToken(this.config.tokenSecret, id) };
  }

  @Put('subscriptions/:id')
  async update(@Param('id') id: string, @Query('token') token: unknown, @Body() body: unknown): Promise<{ id: string; tags: string[] }> {
    this.push();
    this.requireToken(id, token);
    const parsed = parseUpdatePushSubscription(body);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    if (!(await this.subscriptions.changeTags(id, parsed.data.tags))) throw new NotFoundException('this push subscription no longer exists');
    return { id, tags: parsed.data.tags };
  }

  /** Idempotent: removing a subscription that is already gone is not an error. */
  @Delete('subscriptions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id') id: string, @Query('token') token: unknown): Promise<void> {
    this.push();
    this.requireToken(id, token);
    await this.subscriptions.remove(id);
  }

  private push(): PushConfig {
    if (!this.config.push) throw new NotFoundException('web push is not configured');
    return this.config.push;
  }

  private requireToken(id: string, token: unknown): void {
    if (!UUID.test(id)) throw new BadRequestException('id: must be a push subscription id');
    if (!pushTokenNames(this.config.tokenSecret, token, id, this.clock.now())) throw new ForbiddenException('token: not valid for this push subscription');
  }

  private requireEditor(req: Request): void {
    const presented = bearerKey(req.headers.authorization);
    const key = presented === null ? null : matchEditorKey(presented, this.config.editorApiKeys);
    if (key === null) {
      this.audit.warn({ method: req.method, path: req.path, ip: req.socket.remoteAddress, reason: presented === null ? 'no key' : 'wrong key', msg: 'staff push subscription refused' });
      throw new UnauthorizedException('"staff": true needs a valid editor key (Authorization: Bearer <key>)');
    }
    this.audit.log({ method: req.method, path: req.path, editorKeyId: editorKeyId(key), msg: 'staff push subscription' });
  }
}
