import { AppConfig } from '../config/config';

/** The right-hand side of every Message-ID we mint: the domain we send as. */
export function messageHost(config: Pick<AppConfig, 'smtp'>): string {
  const address = /<([^<>]+)>\s*$/.exec(config.smtp.from)?.[1] ?? config.smtp.from;
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}
