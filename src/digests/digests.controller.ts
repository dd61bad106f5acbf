import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { Clock } from '../common/clock';
import { EditorAuthGuard } from '../editors/editor-auth.guard';
import { parsePreviewDigest, parseRunDigests } from './digest-requests';
import { DigestPreview, DigestPreviewService } from './digest-preview.service';
import { DigestRunService } from './digest-run.service';
import { DigestRunsRepository } from './digest-runs.repository';
import { digestRunStatus, DigestRunStatus } from './digest-run-status';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Editor endpoints for digests: parse, hand to one service call, answer. */
@Controller('digests')
@UseGuards(EditorAuthGuard)
export class DigestsController {
  constructor(
    private readonly runs: DigestRunService,
    private readonly runRecords: DigestRunsRepository,
    private readonly previews: DigestPreviewService,
    private readonly clock: Clock,
  ) {}

  /** Sends every digest due at `at` (default now), as the scheduler would; answers once it knows how many are due. */
  @Post('run')
  @HttpCode(202)
  async run(@Body() body: unknown): Promise<{ runId: string; due: number }> {
    const now = this.clock.now();
    const command = parseRunDigests(body, now);
    if (!command.ok) throw new BadRequestException(command.message);
    const { runId, due } = await this.runs.start(command.data.at ?? now, 'manual');
    return { runId, due };
  }

  /** A run stopped by a shutdown or a crash stays "running"; the next tick completes its work. */
  @Get('runs/:id')
  async status(@Param('id') id: string): Promise<DigestRunStatus> {
    const run = UUID.test(id) ? await this.runRecords.find(id) : null;
    if (!run) throw new NotFoundException('no such digest run');
    return digestRunStatus(run);
  }

  /** Nothing is sent or recorded. See DigestPreview for the "no digest" answer. */
  @Get('preview')
  async preview(@Query() query: unknown): Promise<DigestPreview> {
    const parsed = parsePreviewDigest(query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    return this.previews.preview(parsed.data.email, parsed.data.at);
  }
}
