/** What each email template needs. URLs are absolute; article fields are untrusted text. */

export type EmailTemplateName = 'digest' | 'alert' | 'confirm' | 'manage';

export const EMAIL_TEMPLATE_NAMES: readonly EmailTemplateName[] = ['digest', 'alert', 'confirm', 'manage'];

/** An article as an email shows it. Every field comes from the CMS and is treated as hostile. */
export interface ArticleView {
  id: string;
  title: string;
  url: string;
  summary?: string;
  tags: readonly string[];
  imageUrl?: string;
  publishedAt: Date;
  author?: string;
}

/**
 * The links every email's footer carries (CONTRACT.md "Emails"). Both point at our own
 * site and carry a signed token; a non-http(s) value here is a bug and fails the render.
 */
export interface FooterLinks {
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export interface DigestEmailData extends FooterLinks {
  /** Best first; the email shows at most 10 (anything beyond counts into `more`). */
  articles: readonly ArticleView[];
  /** How many further new articles on the reader's tags were left out. */
  more: number;
  moreUrl: string;
  related: readonly ArticleView[];
}

export interface AlertEmailData extends FooterLinks {
  article: ArticleView;
  /** The email shows at most 3. */
  related: readonly ArticleView[];
  /** A staff test send: its subject says so. */
  test?: boolean;
}

export interface ConfirmEmailData extends FooterLinks {
  confirmUrl: string;
  tags: readonly string[];
}

export type ManageEmailData = FooterLinks;

export interface EmailDataByTemplate {
  digest: DigestEmailData;
  alert: AlertEmailData;
  confirm: ConfirmEmailData;
  manage: ManageEmailData;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}
