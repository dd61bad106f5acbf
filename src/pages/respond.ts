import type { Request, Response } from 'express';

/** Sends a page. Pages carry tokens and personal choices: never cached, never framed. */
export function sendPage(res: Response, status: number, page: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.type('html').send(page);
}

/** True when the client would rather read HTML than JSON (a browser, by its Accept header). */
export function prefersHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

/**
 * How to answer a request that may come from one of our forms or from an API client:
 * a form post gets a page, a JSON body gets JSON, anything else follows Accept.
 */
export function wantsHtml(req: Request): boolean {
  const contentType = req.headers['content-type'] ?? '';
  if (/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) return false;
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType)) return true;
  return prefersHtml(req);
}
