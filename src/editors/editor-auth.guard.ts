import { CanActivate, ExecutionContext, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { bearerKey, editorKeyId, matchEditorKey } from './editor-keys';

export interface EditorRequest extends Request {
  /** Short, non-secret id of the key that authenticated the request. */
  editorKeyId?: string;
}

/** Editor endpoints: a Bearer key from EDITOR_API_KEYS, or 401. Every refusal is audited. */
@Injectable()
export class EditorAuthGuard implements CanActivate {
  private readonly logger = new Logger('EditorAudit');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<EditorRequest>();
    const presented = bearerKey(req.headers.authorization);
    const key = presented === null ? null : matchEditorKey(presented, this.config.editorApiKeys);
    if (key === null) {
      this.logger.warn({ method: req.method, path: req.path, ip: req.socket.remoteAddress, reason: presented === null ? 'no key' : 'wrong key', msg: 'editor request refused' });
      throw new UnauthorizedException('a valid editor key is required (Authorization: Bearer <key>)');
    }
    req.editorKeyId = editorKeyId(key);
    this.logger.log({ method: req.method, path: req.path, editorKeyId: req.editorKeyId, msg: 'editor request' });
    return true;
  }
}
