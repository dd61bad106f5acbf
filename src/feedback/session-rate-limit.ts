/**
 * Sessions per client address in a sliding minute: a client past the limit is told to come back
 * later (421), which a real MTA does, and a flood costs us a counter per address, not a parse.
 */
export class SessionRateLimit {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a session; false when the client is over its limit. */
  allow(client: string): boolean {
    const now = this.now();
    const since = now - 60_000;
    const window = (this.windows.get(client) ?? []).filter((at) => at > since);
    if (window.length >= this.perMinute) {
      this.windows.set(client, window);
      return false;
    }
    window.push(now);
    this.windows.set(client, window);
    // Clients that went quiet are forgotten, so the map does not grow with every address ever seen.
    if (this.windows.size > 10_000) this.prune(since);
    return true;
  }

  private prune(since: number): void {
    for (const [client, window] of this.windows) if (!window.some((at) => at > since)) this.windows.delete(client);
  }
}
