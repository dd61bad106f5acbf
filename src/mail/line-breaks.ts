const LINE_BREAK = /\r\n|\r|\n/g;

/** Every line break (CR, LF or CRLF) as CRLF, the only line end SMTP and MIME know. */
export function crlfLines(text: string): string {
  // Native split/join beats the regex several times over for the usual LF-only text.
  return text.includes('\r') ? text.replace(LINE_BREAK, '\r\n') : text.split('\n').join('\r\n');
}
