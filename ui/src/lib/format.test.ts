import { describe, expect, it } from 'vitest';
import { bytes, compactCount, duration, usd } from './format';

describe('format', () => {
  it('counts compactly', () => {
    expect(compactCount(950)).toBe('950');
    expect(compactCount(1000)).toBe('1k');
    expect(compactCount(12_345)).toBe('12.3k');
    expect(compactCount(4_200_000)).toBe('4.2M');
    expect(compactCount(null)).toBe('—');
    expect(compactCount(Number.NaN)).toBe('—');
  });

  it('dollars: cents of a cent below $1, else cents', () => {
    expect(usd(0)).toBe('$0.0000');
    expect(usd(0.012345)).toBe('$0.0123');
    expect(usd(12.5)).toBe('$12.50');
    expect(usd(undefined)).toBe('—');
  });

  it('bytes in binary units', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(2048)).toBe('2.0 KiB');
    expect(bytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(bytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });

  it('durations from tenths of seconds to hours', () => {
    expect(duration(400)).toBe('0.4 s');
    expect(duration(12_000)).toBe('12 s');
    expect(duration(3 * 60_000 + 5_000)).toBe('3 min');
    expect(duration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(duration(-1)).toBe('—');
  });
});
