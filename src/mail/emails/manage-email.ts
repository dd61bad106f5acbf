import { BRAND } from '../brand';
import { ManageEmailData } from '../email-data';
import { EmailContent, RenderContext, footerLinks, footerText, layoutScope, wrapText } from './email-content';

const SUBJECT = `Your ${BRAND.siteName} subscription`;
const PREHEADER = "You're already subscribed. Here is the link to your preferences.";
const EXPLANATION = `This address already receives ${BRAND.siteName}. To change your tags, how often we write or at what time, open your preference centre:`;
const IGNORE = "If this wasn't you, ignore this email: nothing has changed.";
const FOOTER_NOTE = `You receive this email because this address was entered on ${BRAND.siteName}.`;

export function manageEmail(data: ManageEmailData, context: RenderContext): EmailContent {
  const footer = footerLinks(data);
  return {
    subject: SUBJECT,
    layout: layoutScope(SUBJECT, PREHEADER, footer, FOOTER_NOTE, context),
    scope: {},
    text: `You're already subscribed\n\n${wrapText(EXPLANATION, '')}\n${footer.preferencesUrl}\n\n${IGNORE}\n\n${footerText(footer, FOOTER_NOTE)}`,
  };
}
