import { BRAND } from '../mail/brand';
import { AssetName, assetUrl } from './assets';
import { Fragment, html } from './html';

export interface PageOptions {
  /** The document title; the site name is appended. */
  title: string;
  /** The page's content, inside <main>. */
  body: Fragment;
  scripts?: readonly AssetName[];
}

/** The frame every reader page shares: masthead, one card of content, footer. */
export function renderPage(options: PageOptions): string {
  const scripts = (options.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`);
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<title>${options.title} · ${BRAND.siteName}</title>
<link rel="stylesheet" href="${assetUrl('site.css')}">
${scripts}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="masthead"><div class="masthead-inner"><a class="wordmark" href="/">${BRAND.siteName}</a></div></header>
<main id="main" tabindex="-1"><div class="card">
${options.body}
</div></main>
<footer class="site-footer"><p>${BRAND.siteName} · the news you chose, when you chose it.</p></footer>
</body>
</html>`.value}\n`;
}
