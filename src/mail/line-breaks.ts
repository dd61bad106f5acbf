const LINE_BREAK = /\r\n|\r|\n/g;

/** Every line break (CR, LF or CRLF) as CRLF, the only line end SMTP and MIME know. */
export function crlfLines(text: string): string {
  // Native split/join beats the regex several times over for the usual LF-only text;
  // a one-line value (most filled template values) is returned as it is.
  if (text.includes('\r')) return text.replace(LINE_BREAK, '\r\n');
  return text.includes('\n') ? text.split('\n').join('\r\n') : text;
}
