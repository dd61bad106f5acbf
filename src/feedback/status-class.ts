import { FeedbackType } from './feedback-event';

const ENHANCED_STATUS = /^([245])\.\d{1,3}\.\d{1,3}$/;

/**
 * The class of an enhanced status code (RFC 3463) decides, whatever the report's Action says:
 * 5 permanent (hard), 4 transient (soft), 2 delivered. null for anything that is not one.
 */
export function statusClass(status: string | undefined): Exclude<FeedbackType, 'complaint'> | null {
  const match = ENHANCED_STATUS.exec((status ?? '').trim());
  if (!match) return null;
  return match[1] === '5' ? 'hard' : match[1] === '4' ? 'soft' : 'delivered';
}

/** The first enhanced status code in free text (a non-standard bounce), e.g. "550 5.1.1 <x>: user unknown". */
export function findEnhancedStatus(text: string): string | undefined {
  return /(?:^|[\s(:;\[])([45]\.\d{1,3}\.\d{1,3})(?=$|[\s).,;:\]])/m.exec(text)?.[1];
}
