/**
 * The body of a message/delivery-status or message/feedback-report part: groups of
 * header-style fields separated by blank lines (RFC 3464 2.1, RFC 5965 3.1). Names are
 * lower-cased, continuation lines unfolded; a repeated field keeps its first value.
 */
export function reportFieldGroups(body: string): Array<Map<string, string>> {
  const groups: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let lastName: string | null = null;
  for (const line of body.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) groups.push(current);
      current = new Map();
      lastName = null;
      continue;
    }
    if (/^[ \t]/.test(line) && lastName) {
      current.set(lastName, `${current.get(lastName)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    lastName = name;
    if (!current.has(name)) current.set(name, line.slice(colon + 1).trim());
    else lastName = null;
  }
  if (current.size > 0) groups.push(current);
  return groups;
}

/** `rfc822; reader@example.org` → reader@example.org (the address type is dropped, angle brackets too). */
export function typedAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const semicolon = value.indexOf(';');
  const address = (semicolon === -1 ? value : value.slice(semicolon + 1)).trim().replace(/^<|>$/g, '').trim();
  return address.includes('@') ? address : undefined;
}

/** The status code alone: `5.1.1 (user unknown)` → 5.1.1. */
export function statusCode(value: string | undefined): string | undefined {
  return value?.trim().split(/\s+/)[0];
}
