import { logLevel } from 'kafkajs';
import { nestLevelFor } from './kafka.provider';

describe(nestLevelFor.name, () => {
  it('keeps kafkajs levels, except a failed request in Connection, which kafkajs retries itself', () => {
    expect(nestLevelFor({ namespace: 'Connection', level: logLevel.ERROR })).toBe('warn');
    expect(nestLevelFor({ namespace: 'Consumer', level: logLevel.ERROR })).toBe('error');
    expect(nestLevelFor({ namespace: 'Runner', level: logLevel.WARN })).toBe('warn');
    expect(nestLevelFor({ namespace: 'Connection', level: logLevel.INFO })).toBe('log');
    expect(nestLevelFor({ namespace: 'Cluster', level: logLevel.DEBUG })).toBe('debug');
  });
});
