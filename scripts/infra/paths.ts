import { join, resolve } from 'node:path';

/** The repository root, wherever the script is started from. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Everything the local infrastructure writes (jars, data, logs, pid files); git-ignored. */
export const INFRA_DIR = join(REPO_ROOT, '.infra');
