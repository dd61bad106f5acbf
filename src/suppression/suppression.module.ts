import { Module } from '@nestjs/common';
import { SuppressionRepository } from './suppression.repository';

@Module({ providers: [SuppressionRepository], exports: [SuppressionRepository] })
export class SuppressionModule {}
