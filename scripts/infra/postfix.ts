import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortOpen } from './net';
import { run } from './tools';

/** Debian's Postfix, installed by .ci/run (`apt-get install postfix`, "Local only"). */
export const POSTFIX = '/usr/sbin/postfix';

export interface PostfixOptions {
  /** Where Postfix listens for Dispatch's mail, on 127.0.0.1 only. */
  smtpPort: number;
  /** Domains Postfix delivers locally: a recipient there that does not exist makes Postfix bounce (a real DSN). */
  localDomains: string[];
  /** Mail for this domain (the bounce DSNs) goes to Dispatch's bounce listener … */
  bounceDomain: string;
  /** … on this 127.0.0.1 port. */
  bounceListenerPort: number;
}

export interface PostfixInstance {
  smtpPort: number;
  /** Its own config, queue and data directories, and its log (`maillog`). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a Postfix instance of its own (own config, queue and data directories, loopback
 * only, never the machine's) that takes mail on `smtpPort`, delivers the local domains (an
 * unknown mailbox there is bounced with an RFC 3464 DSN to the envelope sender), sends mail
 * for the bounce domain to Dispatch's bounce listener, and refuses everything else: it can
 * never reach the internet. Must run as root, as Postfix's master does.
 */
export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  // Under the system's temporary directory, not the checkout: Postfix's unprivileged daemons
  // must traverse every directory above the queue, and a checkout may sit under a private
  // one (a clone in a `mktemp -d` folder is 0700, and master then cannot open its lock file).
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-postfix-'));
  // mkdtemp makes it private to root; Postfix's unprivileged daemons must reach the queue inside.
  chmodSync(dir, 0o755);
  const config = join(dir, 'etc');
  mkdirSync(config);
  mkdirSync(join(dir, 'queue'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(config, 'main.cf'), mainCf(dir, options));
  writeFileSync(join(config, 'master.cf'), masterCf(options.smtpPort));
  // master keeps its lock in the data directory and refuses to start unless the mail owner owns it.
  await run('chown', ['postfix', join(dir, 'data')]);
  const started = await run(POSTFIX, ['-c', config, 'start']);
  if (started.status !== 0) {
    const log = existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postfix did not start: ${`${started.output}\n${log}`.trim().split('\n').slice(-5).join(' | ')}`);
  }
  const stop = async () => {
    await run(POSTFIX, ['-c', config, 'stop']);
    // master's children need a moment to let go of the queue before it is removed.
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
    if (await isPortOpen('127.0.0.1', options.smtpPort)) return { smtpPort: options.smtpPort, dir, stop };
  }
  await stop();
  throw new Error(`postfix did not listen on 127.0.0.1:${options.smtpPort} within 15 s`);
}

function mainCf(dir: string, options: PostfixOptions): string {
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${join(dir, 'queue')}`,
    `data_directory = ${join(dir, 'data')}`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    'myhostname = mx.dispatch-postfix.test',
    'mydomain = dispatch-postfix.test',
    'myorigin = $myhostname',
    `mydestination = ${options.localDomains.join(', ')}`,
    'mynetworks = 127.0.0.0/8',
    // Accept any local recipient, so a missing mailbox is bounced after acceptance (a DSN), not refused in the SMTP session.
    'local_recipient_maps =',
    'alias_maps =',
    'alias_database =',
    `transport_maps = inline:{${options.bounceDomain}=smtp:[127.0.0.1]:${options.bounceListenerPort}}`,
    // Nothing else leaves this machine.
    'default_transport = error:this test Postfix delivers nowhere else',
    'relay_transport = error:this test Postfix delivers nowhere else',
    'relayhost =',
    'smtpd_tls_security_level = none',
    'smtp_tls_security_level = none',
    'smtp_dns_support_level = disabled',
    'disable_dns_lookups = yes',
    'biff = no',
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${join(dir, 'maillog')}`,
    // Bounce at once and retry quickly: the test waits for the DSN, not for the default queue timers.
    'queue_run_delay = 1s',
    'minimal_backoff_time = 1s',
    'maximal_backoff_time = 2s',
    'delay_warning_time = 0',
    '',
  ].join('\n');
}

/** Debian's master.cf services, without chroot (the queue is not laid out as a chroot jail). */
function masterCf(smtpPort: number): string {
  // service type private unpriv chroot wakeup maxproc command
  return `${[
    `127.0.0.1:${smtpPort} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'local unix - n n - - local',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ].join('\n')}\n`;
}
