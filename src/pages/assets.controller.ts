import { Controller, Get, Header, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { findAsset } from './assets';

/** The pages' stylesheet and script, from our own origin as the CSP requires. */
@Controller('assets')
export class AssetsController {
  @Get(':name')
  @Header('X-Content-Type-Options', 'nosniff')
  serve(@Param('name') name: string, @Query('v') version: unknown, @Res() res: Response): void {
    const asset = findAsset(name);
    if (!asset) throw new NotFoundException('no such asset');
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('ETag', `"${asset.version}"`);
    // Versioned URLs never change content; an unversioned or stale one is revalidated.
    res.setHeader('Cache-Control', version === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache');
    // Express answers 304 itself when If-None-Match matches this ETag.
    res.send(asset.body);
  }
}
