import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { signToken, TokenPurpose } from './tokens';

/** Not a valid token: preview links land on the "link does not work" page. */
const PREVIEW_TOKEN = 'preview';

/** How long a double opt-in link stays valid. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface TokenSubject {
  id: string;
  tokenVersion: number;
}

/** The signed links every email and page carries, all under PUBLIC_BASE_URL. */
@Injectable()
export class ReaderLinks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  confirmUrl(subscriber: TokenSubject): string {
    const expiresAt = new Date(this.clock.now().getTime() + CONFIRM_TOKEN_TTL_MS);
    return this.link('/subscriptions/confirm', this.token('confirm', subscriber, expiresAt));
  }

  preferencesUrl(subscriber: TokenSubject): string {
    return this.link('/preferences', this.token('preferences', subscriber));
  }

  unsubscribeUrl(subscriber: TokenSubject): string {
    return this.link('/unsubscribe', this.token('unsubscribe', subscriber));
  }

  token(purpose: TokenPurpose, subscriber: TokenSubject, expiresAt?: Date): string {
    return signToken(this.config.tokenSecret, {
      purpose,
      subscriberId: subscriber.id,
      version: subscriber.tokenVersion,
      ...(expiresAt ? { expiresAt } : {}),
    });
  }

  private link(path: string, token: string): string {
    return `${this.config.publicBaseUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  /** Footer links for previews: the email is nobody's, so its links must not work for anybody. */
  previewFooter(): { preferencesUrl: string; unsubscribeUrl: string } {
    return {
      preferencesUrl: this.link('/preferences', PREVIEW_TOKEN),
      unsubscribeUrl: this.link('/unsubscribe', PREVIEW_TOKEN),
    };
  }
}
