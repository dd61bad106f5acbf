import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mjml2html from 'mjml';
import { brandTokens } from './brand';
import { CompiledTemplate } from './compiled-template';
import { EMAIL_TEMPLATE_NAMES, EmailTemplateName } from './email-data';

/** Every file the emails are made of, relative to the templates directory. */
export const TEMPLATE_FILES = {
  layout: 'layouts/base.mjml',
  partials: ['partials/article-card.mjml', 'partials/related-story.mjml'],
  emails: Object.fromEntries(EMAIL_TEMPLATE_NAMES.map((name) => [name, `${name}.mjml`])) as Record<EmailTemplateName, string>,
} as const;

/** Where the layout takes the email's own sections. */
const CONTENT_MARKER = '<dispatch-email-content />';
const BRAND_TOKEN = /\[\[\s*([\w.]+)\s*\]\]/g;

export class TemplateCompileError extends Error {
  override readonly name = 'TemplateCompileError';
}

export type CompiledEmails = ReadonlyMap<EmailTemplateName, CompiledTemplate>;

/**
 * MJML → HTML once per email, from trusted files only: the layout wraps each email,
 * brand tokens are substituted, and the result is cut into a CompiledTemplate.
 * Throws on a missing file, an MJML validation error or a malformed placeholder,
 * so a broken template stops start-up instead of a send.
 */
export async function compileEmailTemplates(templatesDir: string): Promise<CompiledEmails> {
  await assertFilesExist(templatesDir);
  const compiled = new Map<EmailTemplateName, CompiledTemplate>();
  for (const name of EMAIL_TEMPLATE_NAMES) {
    compiled.set(name, await compileEmailTemplate(templatesDir, name));
  }
  return compiled;
}

/** One email through MJML: ~15 ms, which is why this runs at start-up and never per send. */
export async function compileEmailTemplate(templatesDir: string, name: EmailTemplateName): Promise<CompiledTemplate> {
  const layout = await readFile(join(templatesDir, TEMPLATE_FILES.layout), 'utf8');
  if (layout.split(CONTENT_MARKER).length !== 2) {
    throw new TemplateCompileError(`${TEMPLATE_FILES.layout} must contain ${CONTENT_MARKER} exactly once`);
  }
  const file = join(templatesDir, TEMPLATE_FILES.emails[name]);
  const email = await readFile(file, 'utf8');
  const result = await mjml2html(
    layout.replace(CONTENT_MARKER, () => email),
    {
      filePath: file,
      validationLevel: 'strict',
      // MJML 5 skips mj-include unless told otherwise; our partials are trusted files beside the emails.
      ignoreIncludes: false,
      keepComments: false,
      fonts: {},
      preprocessors: [substituteBrand],
    },
  ).catch((error: unknown) => {
    throw new TemplateCompileError(`${TEMPLATE_FILES.emails[name]}: ${describeMjmlError(error)}`);
  });
  return CompiledTemplate.parse(leanHtml(result.html), TEMPLATE_FILES.emails[name]);
}

const BRAND_TOKENS = brandTokens();

function substituteBrand(xml: string): string {
  return xml.replace(BRAND_TOKEN, (token, name: string) => {
    const value = BRAND_TOKENS.get(name);
    if (value === undefined) throw new TemplateCompileError(`unknown brand token ${token}`);
    return value;
  });
}

async function assertFilesExist(templatesDir: string): Promise<void> {
  const files = [TEMPLATE_FILES.layout, ...TEMPLATE_FILES.partials, ...Object.values(TEMPLATE_FILES.emails)];
  const missing: string[] = [];
  for (const file of files) {
    await access(join(templatesDir, file)).catch(() => missing.push(file));
  }
  if (missing.length > 0) {
    throw new TemplateCompileError(`missing template files in ${templatesDir}: ${missing.join(', ')}`);
  }
}

/**
 * MJML indents generously; every email carries that whitespace, so drop it. A newline
 * stays where there was one, which keeps words apart in text content.
 */
function leanHtml(html: string): string {
  return html.replace(/\n\s+/g, '\n');
}

function describeMjmlError(error: unknown): string {
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors)) {
    return error.errors.map((e: { formattedMessage?: string; message?: string }) => e.formattedMessage ?? e.message).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
