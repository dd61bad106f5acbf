import { AlertEmailData, ArticleView, ConfirmEmailData, DigestEmailData, ManageEmailData } from '../email-data';

/** Builders for the mail layer's specs, integration tests and benchmark. */

const SITE = 'https://news.example.com';
const APP = 'https://dispatch.example.com';

export function anArticle(overrides: Partial<ArticleView> = {}): ArticleView {
  const id = overrides.id ?? 'aichief-2026-musk-synthetic-data';
  return {
    id,
    title: 'Elon Musk Agrees AI Training Data Has Been Exhausted, Advocates for Synthetic Data',
    url: `${SITE}/news/${id}`,
    summary: 'Elon Musk confirms that AI training data is exhausted and suggests synthetic data as the future solution.',
    tags: ['news', 'ainews', 'syntheticdata'],
    publishedAt: new Date('2026-11-23T09:00:00Z'),
    author: 'Editorial Staff',
    imageUrl: `${SITE}/img/${id}.jpg`,
    ...overrides,
  };
}

export function someArticles(count: number, overrides: (index: number) => Partial<ArticleView> = () => ({})): ArticleView[] {
  return Array.from({ length: count }, (_, index) =>
    anArticle({
      id: `story-${index + 1}`,
      title: `Story number ${index + 1}: Microsoft ships Maia 200 accelerators to more regions`,
      tags: index % 2 === 0 ? ['ainews', 'microsoft', 'maia200'] : ['ainews', 'cloud'],
      ...overrides(index),
    }),
  );
}

export function footerLinks(token = 'tok3n') {
  return {
    preferencesUrl: `${APP}/preferences?token=${token}`,
    unsubscribeUrl: `${APP}/unsubscribe?token=${token}`,
  };
}

export function aDigest(overrides: Partial<DigestEmailData> = {}): DigestEmailData {
  return {
    articles: someArticles(5),
    more: 0,
    moreUrl: `${SITE}/`,
    related: someArticles(3, (index) => ({ id: `related-${index + 1}`, title: `Related story ${index + 1}` })),
    ...footerLinks(),
    ...overrides,
  };
}

export function anAlert(overrides: Partial<AlertEmailData> = {}): AlertEmailData {
  return {
    article: anArticle(),
    related: someArticles(2, (index) => ({ id: `related-${index + 1}`, title: `Related story ${index + 1}` })),
    ...footerLinks(),
    ...overrides,
  };
}

export function aConfirmation(overrides: Partial<ConfirmEmailData> = {}): ConfirmEmailData {
  return { confirmUrl: `${APP}/subscriptions/confirm?token=c0nfirm`, tags: ['ainews', 'microsoft'], ...footerLinks(), ...overrides };
}

export function aManageEmail(overrides: Partial<ManageEmailData> = {}): ManageEmailData {
  return { ...footerLinks(), ...overrides };
}

/** Every hostile string S3 names, for any article field. */
export const HOSTILE_TEXTS = [
  '<script>alert(1)</script>',
  '{{preferencesUrl}}',
  '{{#articles}}x{{/articles}}',
  '<mj-include path="/etc/passwd" />',
  '<img src=x onerror="alert(1)">',
  'javascript:alert(1)',
  '"><a href="javascript:alert(1)">x</a>',
] as const;
