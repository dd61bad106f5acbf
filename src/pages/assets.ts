import { createHash } from 'node:crypto';
import { PUSH_OPT_IN_JS } from '../push/opt-in-script';
import { TIMEZONE_JS } from './browser-scripts';
import { SITE_CSS } from './site-css';

export interface Asset {
  body: string;
  contentType: string;
  /** Content hash: asset URLs carry it, so a changed file is a new URL and caches can keep each forever. */
  version: string;
}

function asset(body: string, contentType: string): Asset {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

export const ASSETS = {
  'site.css': asset(SITE_CSS, 'text/css; charset=utf-8'),
  'timezone.js': asset(TIMEZONE_JS, 'text/javascript; charset=utf-8'),
  'push.js': asset(PUSH_OPT_IN_JS, 'text/javascript; charset=utf-8'),
} as const satisfies Record<string, Asset>;

export type AssetName = keyof typeof ASSETS;

export function assetUrl(name: AssetName): string {
  return `/assets/${name}?v=${ASSETS[name].version}`;
}

export function findAsset(name: string): Asset | undefined {
  return Object.hasOwn(ASSETS, name) ? ASSETS[name as AssetName] : undefined;
}
