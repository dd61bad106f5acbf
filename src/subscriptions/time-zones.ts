/**
 * The zones the pages offer, UTC first. The subscribe page's script selects the
 * browser's own zone, adding it when the platform spells it differently.
 */
export const TIME_ZONE_CHOICES: readonly string[] = Object.freeze([
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC'),
]);
