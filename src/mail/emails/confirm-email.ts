import { BRAND } from '../brand';
import { oneLine } from '../escaping';
import { ConfirmEmailData } from '../email-data';
import { EmailContent, RenderContext, footerLinks, footerText, layoutScope, ownUrl, wrapText } from './email-content';

const SUBJECT = `Confirm your ${BRAND.siteName} subscription`;
const PREHEADER = `One click to start receiving ${BRAND.siteName}.`;
const IGNORE = "If this wasn't you, ignore this email: you will not be subscribed and we will not write again.";
const FOOTER_NOTE = `You receive this email because this address was entered on ${BRAND.siteName}.`;

export function confirmEmail(data: ConfirmEmailData, context: RenderContext): EmailContent {
  const confirmUrl = ownUrl(data.confirmUrl, 'confirmUrl');
  const tags = data.tags.map((tag) => oneLine(tag)).filter((tag) => tag.length > 0);
  const request = `Someone, hopefully you, asked to receive ${BRAND.siteName} at this address${
    tags.length ? ` for stories on: ${tags.map((tag) => `#${tag}`).join(' ')}` : ''
  }.`;
  const footer = footerLinks(data);
  return {
    subject: SUBJECT,
    layout: layoutScope(SUBJECT, PREHEADER, footer, FOOTER_NOTE, context),
    scope: { confirmUrl, hasTags: tags.length > 0, tags: tags.map((tag) => ({ tag })) },
    text: `Confirm your subscription\n\n${wrapText(request, '')}\n\nConfirm my subscription: ${confirmUrl}\n\n${wrapText(IGNORE, '')}\n\n${footerText(footer, FOOTER_NOTE)}`,
  };
}
