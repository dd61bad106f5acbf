import { asciiHtml, escapeHtml } from './escaping';
import { crlfLines } from './line-breaks';

/**
 * A compiled email: MJML's HTML output cut into static parts, value slots and
 * repeatable sections, so that sending fills values without MJML or re-parsing.
 *
 * Syntax inside the compiled HTML (written by us in the .mjml files, never by users):
 *   {{name}}              a value, HTML-escaped
 *   {{#name}}…{{/name}}   a section: repeated per item of an array, shown once for a
 *                         truthy scalar, hidden for false / '' / 0 / [] / undefined
 * A slot in an `href` or `src` attribute must be the whole value and only accepts an
 * absolute http(s) URL. Slots in `style` / `on*` attributes, unquoted attributes,
 * `<style>` or `<script>` are rejected when the template is parsed.
 *
 * Filling is one pass over the parsed parts: a value containing `{{x}}` is printed, not
 * interpreted.
 */
export type SlotValue = string | number | boolean | undefined | readonly Scope[];

export interface Scope {
  readonly [name: string]: SlotValue;
}

type Part =
  | string
  | { readonly kind: 'text'; readonly name: string }
  | { readonly kind: 'url'; readonly name: string }
  | { readonly kind: 'section'; readonly name: string; readonly parts: readonly Part[] };

/** The template itself is wrong: a developer error found when it is parsed. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

/** The data does not fit the template (missing value, unsafe URL): a bug in the caller. */
export class TemplateDataError extends Error {
  override readonly name = 'TemplateDataError';
}

const TAG = /\{\{\s*([#/]?)\s*([A-Za-z][\w.]*)\s*\}\}/g;
// Callers normalise URLs with toHttpUrl; this cheap re-check only guards the scheme.
const HTTP_URL = /^https?:\/\/[^\s]+$/i;
const URL_ATTRIBUTES = new Set(['href', 'src', 'background', 'action', 'cite', 'poster']);

export class CompiledTemplate {
  private constructor(
    private readonly parts: readonly Part[],
    readonly source: string,
  ) {}

  static parse(html: string, source = 'template'): CompiledTemplate {
    const root: Part[] = [];
    const stack: { name: string; parts: Part[] }[] = [{ name: '', parts: root }];
    let last = 0;
    for (const match of html.matchAll(TAG)) {
      const index = match.index;
      const [token, sigil, name] = match;
      const current = stack[stack.length - 1];
      pushStatic(current.parts, html.slice(last, index), source);
      last = index + token.length;
      if (sigil === '') {
        current.parts.push({ kind: slotContext(html, index, source, token), name });
        continue;
      }
      if (isInsideTag(html, index)) {
        throw new TemplateSyntaxError(`${source}: section ${token} must not be inside a tag`);
      }
      if (sigil === '#') {
        const section = { kind: 'section' as const, name, parts: [] as Part[] };
        current.parts.push(section);
        stack.push(section);
      } else {
        if (current.name !== name) {
          throw new TemplateSyntaxError(`${source}: ${token} closes ${current.name ? `{{#${current.name}}}` : 'nothing'}`);
        }
        stack.pop();
      }
    }
    if (stack.length > 1) {
      throw new TemplateSyntaxError(`${source}: {{#${stack[stack.length - 1].name}}} is never closed`);
    }
    pushStatic(root, html.slice(last), source);
    return new CompiledTemplate(root, source);
  }

  /** Names are looked up from the last scope to the first, then in enclosing section items. */
  fill(...scopes: Scope[]): string {
    return fillParts(this.parts, scopes, this.source);
  }
}

function pushStatic(parts: Part[], html: string, source: string): void {
  if (html.includes('{{') || html.includes('}}')) {
    const at = html.indexOf('{{') >= 0 ? html.indexOf('{{') : html.indexOf('}}');
    throw new TemplateSyntaxError(`${source}: malformed placeholder near "${html.slice(at, at + 40)}"`);
  }
  // ASCII with CRLF line ends from the start (MJML's <style> output is ASCII already), so an
  // email's HTML goes over SMTP as 7bit exactly as it was filled, without a pass to convert it.
  if (html.length > 0) parts.push(crlfLines(asciiHtml(html)));
}

/** Where a placeholder sits in the HTML decides how its value is escaped, or whether it may sit there at all. */
function slotContext(html: string, index: number, source: string, token: string): 'text' | 'url' {
  if (isInsideTag(html, index)) {
    const attribute = /\s([^\s"'=<>/]+)\s*=\s*(["'])([^"']*)$/.exec(html.slice(html.lastIndexOf('<', index), index));
    if (!attribute) {
      throw new TemplateSyntaxError(`${source}: ${token} must be inside a quoted attribute value`);
    }
    const name = attribute[1].toLowerCase();
    if (name === 'style' || name.startsWith('on')) {
      throw new TemplateSyntaxError(`${source}: ${token} is not allowed in a ${name} attribute`);
    }
    if (!URL_ATTRIBUTES.has(name)) return 'text';
    if (attribute[3] !== '' || html[index + token.length] !== attribute[2]) {
      throw new TemplateSyntaxError(`${source}: ${token} must be the whole ${name} attribute`);
    }
    return 'url';
  }
  for (const element of ['style', 'script']) {
    if (html.lastIndexOf(`<${element}`, index) > html.lastIndexOf(`</${element}`, index)) {
      throw new TemplateSyntaxError(`${source}: ${token} is not allowed inside <${element}>`);
    }
  }
  return 'text';
}

function isInsideTag(html: string, index: number): boolean {
  return html.lastIndexOf('<', index) > html.lastIndexOf('>', index);
}

function fillParts(parts: readonly Part[], scopes: Scope[], source: string): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
    } else if (part.kind === 'section') {
      const value = lookup(scopes, part.name);
      if (Array.isArray(value)) {
        for (const item of value as readonly Scope[]) {
          scopes.push(item);
          out += fillParts(part.parts, scopes, source);
          scopes.pop();
        }
      } else if (value) {
        out += fillParts(part.parts, scopes, source);
      }
    } else {
      const value = lookup(scopes, part.name);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new TemplateDataError(`${source}: no value for {{${part.name}}}`);
      }
      const text = String(value);
      if (part.kind === 'url' && !HTTP_URL.test(text)) {
        throw new TemplateDataError(`${source}: {{${part.name}}} is not an http(s) URL`);
      }
      out += sevenBitValue(text);
    }
  }
  return out;
}

/** Escaped, as ASCII, with CRLF line breaks: the same in HTML, and it keeps the filled page 7bit. */
function sevenBitValue(text: string): string {
  return crlfLines(asciiHtml(escapeHtml(text)));
}

function lookup(scopes: readonly Scope[], name: string): SlotValue {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (Object.prototype.hasOwnProperty.call(scopes[i], name)) return scopes[i][name];
  }
  return undefined;
}
