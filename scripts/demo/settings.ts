import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppConfig, loadConfig } from '../../src/config/config';
import { MAIL_CATCHER } from '../infra/mail-catcher';
import { INFRA_DIR } from '../infra/paths';

/**
 * Everything the demo decides before it starts, from the environment:
 *  - the service's own variables (PORT, DATABASE_URL, KAFKA_*, SMTP_URL, …) with
 *    CONTRACT.md's defaults, passed through to the service it starts;
 *  - DEMO_FAST=1 (or --fast): run the service from source instead of building it;
 *  - DEMO_STATE_DIR: where the pid file, the service log and demo.json go (.infra/demo);
 *  - DEMO_MAIL_WEB_URL: the mail catcher's web address (maildev, http://127.0.0.1:1080);
 *  - DEMO_EDITOR_KEY: the editor key to configure (a fresh random one otherwise).
 * Fast mode with its own ports, database, topics and SMTP_URL is how the test suite
 * runs the whole demo without touching the shared defaults.
 */
export interface DemoSettings {
  fast: boolean;
  stateDir: string;
  editorKey: string;
  mailWebUrl: string;
  /** Where the demo itself calls the service (loopback, the port it listens on). */
  serviceUrl: string;
  /** The environment the service is started with. */
  serviceEnv: NodeJS.ProcessEnv;
  /** The service's configuration, parsed from serviceEnv exactly as the service will. */
  config: AppConfig;
}

export function demoStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEMO_STATE_DIR || join(INFRA_DIR, 'demo');
}

export function demoSettings(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): DemoSettings {
  const port = env.PORT || '3000';
  const editorKey = env.DEMO_EDITOR_KEY || `demo-${randomBytes(12).toString('hex')}`;
  const serviceEnv: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: 'development',
    PORT: port,
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL || `http://localhost:${port}`,
    EDITOR_API_KEYS: editorKey,
    LOG_LEVEL: env.LOG_LEVEL || 'info',
  };
  return {
    fast: env.DEMO_FAST === '1' || argv.includes('--fast'),
    stateDir: demoStateDir(env),
    editorKey,
    mailWebUrl: (env.DEMO_MAIL_WEB_URL || MAIL_CATCHER.webUrl).replace(/\/+$/, ''),
    serviceUrl: `http://127.0.0.1:${port}`,
    serviceEnv,
    config: loadConfig(serviceEnv),
  };
}
