/**
 * Dispatch's one visual style, shared by the emails (substituted into the MJML
 * sources at compile time as `[[colors.accent]]`, `[[fonts.body]]` …) and by the
 * HTML pages, so a colour changes in one place.
 */
export const BRAND = {
  siteName: 'Dispatch',
  colors: {
    ink: '#1b1b1f',
    muted: '#5c5f66',
    accent: '#1849a9',
    accentInk: '#ffffff',
    breaking: '#b3261e',
    breakingInk: '#ffffff',
    background: '#f3f2ef',
    surface: '#ffffff',
    border: '#e2e0db',
    chip: '#e8eefa',
    chipInk: '#1c3d7a',
  },
  fonts: {
    body: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
    heading: "Georgia, 'Times New Roman', Times, serif",
  },
  sizes: {
    contentWidth: '600px',
    radius: '4px',
    body: '15px',
    small: '13px',
    title: '19px',
    headline: '26px',
  },
} as const;

export type Brand = typeof BRAND;

/** The brand as a flat `dotted.name → value` map, e.g. `colors.accent → #1849a9`. */
export function brandTokens(brand: object = BRAND, prefix = ''): ReadonlyMap<string, string> {
  const tokens = new Map<string, string>();
  for (const [key, value] of Object.entries(brand)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object') {
      for (const [child, childValue] of brandTokens(value, name)) tokens.set(child, childValue);
    } else {
      tokens.set(name, String(value));
    }
  }
  return tokens;
}
