import { FSWatcher, watch } from 'node:fs';
import { Logger } from '@nestjs/common';
import { toHttpUrl } from './escaping';
import { EmailDataByTemplate, EmailTemplateName, RenderedEmail } from './email-data';
import { alertEmail } from './emails/alert-email';
import { confirmEmail } from './emails/confirm-email';
import { digestEmail } from './emails/digest-email';
import { EmailContent, RenderContext, ownUrl } from './emails/email-content';
import { manageEmail } from './emails/manage-email';
import { CompiledEmails, compileEmailTemplates } from './mjml-compiler';

export interface TemplateRendererOptions {
  /**
   * The site's base URL (PUBLIC_BASE_URL): the header's site name links here, and so
   * does an article whose own URL is not http(s). Defaults to the origin of the
   * email's preference link, which always points at the site.
   */
  siteUrl?: string;
  /** Re-compile when a template file changes; meant for NODE_ENV=development. */
  watch?: boolean;
}

type EmailBuilders = { [K in EmailTemplateName]: (data: EmailDataByTemplate[K], context: RenderContext) => EmailContent };

const BUILDERS: EmailBuilders = {
  digest: digestEmail,
  alert: alertEmail,
  confirm: confirmEmail,
  manage: manageEmail,
};

const WATCH_DEBOUNCE_MS = 100;

/**
 * Renders every email from templates compiled once (MJML never runs at send time):
 * each render only fills escaped values into the compiled HTML and writes the
 * plain-text part from the same data.
 */
export class TemplateRenderer {
  private readonly logger = new Logger(TemplateRenderer.name);
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly templatesDir: string,
    private compiled: CompiledEmails,
    private readonly siteUrl: string | undefined,
  ) {}

  /** Compiles every template, failing fast on a missing file or an invalid template. */
  static async compile(templatesDir: string, options: TemplateRendererOptions = {}): Promise<TemplateRenderer> {
    const siteUrl = options.siteUrl === undefined ? undefined : toHttpUrl(options.siteUrl);
    if (options.siteUrl !== undefined && siteUrl === undefined) {
      throw new Error('TemplateRenderer: siteUrl must be an absolute http(s) URL');
    }
    const renderer = new TemplateRenderer(templatesDir, await compileEmailTemplates(templatesDir), siteUrl);
    if (options.watch) renderer.watchTemplates();
    return renderer;
  }

  render<K extends EmailTemplateName>(name: K, data: EmailDataByTemplate[K]): RenderedEmail {
    const build = BUILDERS[name] as (data: EmailDataByTemplate[K], context: RenderContext) => EmailContent;
    const content = build(data, { siteUrl: this.siteUrl ?? siteOf(data.preferencesUrl) });
    const template = this.compiled.get(name);
    if (!template) throw new Error(`TemplateRenderer: no compiled template ${name}`);
    return { subject: content.subject, html: template.fill(content.layout, content.scope), text: content.text };
  }

  /** Compiles the templates again; on failure the previous ones stay in use and the error is thrown. */
  async reload(): Promise<void> {
    this.compiled = await compileEmailTemplates(this.templatesDir);
  }

  close(): void {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private watchTemplates(): void {
    this.watcher = watch(this.templatesDir, { recursive: true }, () => {
      // Editors write a file in several events; compile once they are done.
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => {
        this.reload().then(
          () => this.logger.log('email templates re-compiled'),
          (error: unknown) => this.logger.error(`email templates not re-compiled, keeping the previous ones: ${String(error)}`),
        );
      }, WATCH_DEBOUNCE_MS);
    });
    this.watcher.unref();
  }
}

function siteOf(preferencesUrl: string): string {
  return `${new URL(ownUrl(preferencesUrl, 'preferencesUrl')).origin}/`;
}
