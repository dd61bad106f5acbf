import { MissingToolError } from './tools';

export interface StepResult {
  address: string;
  note: string;
}

/**
 * Runs one service's step and prints one line: name, address, what happened,
 * how long it took. Failures print one line too and are returned, not thrown,
 * so the other services still get their line.
 */
export async function reportStep(name: string, step: () => Promise<StepResult>): Promise<boolean> {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const { address, note } = await step();
    console.log(`${name.padEnd(10)} ${address.padEnd(28)} ${note} (${seconds()})`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A missing tool is one line; anything else may carry a log tail worth showing.
    const text = error instanceof MissingToolError ? message : message.trim();
    console.error(`${name.padEnd(10)} FAILED after ${seconds()}: ${text}`);
    return false;
  }
}
