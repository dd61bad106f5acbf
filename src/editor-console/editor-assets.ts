import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_CSS } from './editor-css';

/**
 * The console's script is a plain file beside this module: browser code with no build
 * step. Compiled code runs from dist/editor-console and sources from src/editor-console,
 * both two levels below the repository root, so the file is found from there either way.
 */
export const EDITOR_ASSETS_DIR = join(__dirname, '..', '..', 'src', 'editor-console', 'assets');

export interface EditorAsset {
  body: Buffer;
  contentType: string;
  /** Content hash: the page links to `?v=<version>`, so a changed file is a new URL. */
  version: string;
}

export type EditorAssetName = 'editor.js' | 'editor.css';

function asset(body: Buffer, contentType: string): EditorAsset {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

/** Reads the script once; a missing file stops the boot rather than breaking the page later. */
export function loadEditorAssets(dir = EDITOR_ASSETS_DIR): EditorAssets {
  return new EditorAssets(
    new Map<string, EditorAsset>([
      ['editor.js', asset(readFileSync(join(dir, 'editor.js')), 'text/javascript; charset=utf-8')],
      ['editor.css', asset(Buffer.from(EDITOR_CSS, 'utf8'), 'text/css; charset=utf-8')],
    ]),
  );
}

export class EditorAssets {
  constructor(private readonly assets: ReadonlyMap<string, EditorAsset>) {}

  find(name: string): EditorAsset | undefined {
    return this.assets.get(name);
  }

  url(name: EditorAssetName): string {
    const asset = this.assets.get(name);
    if (!asset) throw new Error(`EditorAssets: ${name} was not loaded`);
    return `/editor/assets/${name}?v=${asset.version}`;
  }
}
