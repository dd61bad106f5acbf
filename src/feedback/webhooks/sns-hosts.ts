import { SNS_HOSTS } from './ses-webhook';

/** Hosts SNS certificates and subscription links may come from; tests provide their own local one. */
export const SNS_HOST_PATTERN = Symbol('SNS_HOST_PATTERN');

export const DEFAULT_SNS_HOSTS = SNS_HOSTS;
