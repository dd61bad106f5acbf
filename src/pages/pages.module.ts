import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';

/** What every server-rendered page shares: its stylesheet and script. */
@Module({ controllers: [AssetsController] })
export class PagesModule {}
