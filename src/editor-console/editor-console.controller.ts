import { Controller, Get, Header, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { assetUrl } from '../pages/assets';
import { EditorAssets } from './editor-assets';
import { EMAIL_FRAME_CSP, EMAIL_FRAME_PAGE, renderEditorPage } from './editor-page';

/**
 * GET /editor and its assets. Open to anyone on purpose: the page is an empty shell
 * that asks for the key, and every editor endpoint it calls checks that key itself.
 */
@Controller('editor')
export class EditorConsoleController {
  private readonly page: string;

  constructor(@Inject(EditorAssets) private readonly assets: EditorAssets) {
    this.page = renderEditorPage({
      stylesheets: [assetUrl('site.css'), assets.url('editor.css')],
      script: assets.url('editor.js'),
    });
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  show(): string {
    return this.page;
  }

  /**
   * The empty document the console writes an email preview into. Its policy replaces
   * the site's for this response only: inline styles (the email's) and images, and
   * nothing else — no script of any kind, no forms, no plugins.
   */
  @Get('frame')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  frame(@Res() res: Response): void {
    res.setHeader('Content-Security-Policy', EMAIL_FRAME_CSP);
    res.send(EMAIL_FRAME_PAGE);
  }

  @Get('assets/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('name') name: string, @Query('v') version: unknown, @Res() res: Response): void {
    const asset = this.assets.find(name);
    if (!asset) throw new NotFoundException('no such asset');
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('ETag', `"${asset.version}"`);
    // The page links versioned URLs, whose content never changes; anything else is revalidated.
    res.setHeader('Cache-Control', version === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.send(asset.body);
  }
}
