import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthMonitor, HealthReport } from './health-monitor';

/** Readiness from the last background check; liveness from the process alone. */
@Controller('health')
export class HealthController {
  constructor(private readonly monitor: HealthMonitor) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  check(@Res({ passthrough: true }) res: Response): HealthReport {
    const report = this.monitor.current();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  /** 200 while the process serves requests: no outside check, so a slow database never gets it restarted. */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
