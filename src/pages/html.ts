import { escapeHtml } from '../mail/escaping';

/** Markup that is already safe: built by `html` from escaped parts, never from raw input. */
export class Html {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type Fragment = Html | string | number | boolean | null | undefined | readonly Fragment[];

/**
 * A template tag that escapes every interpolated value unless it is Html itself, so a
 * page cannot forget to escape reader input: html`<p>${name}</p>`. Lists are joined;
 * null, undefined and false render nothing (handy for `cond && html`…``).
 */
export function html(strings: TemplateStringsArray, ...values: Fragment[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

function render(value: Fragment): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
