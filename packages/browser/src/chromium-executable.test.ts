import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { CHROMIUM_INSTALL_HINT, findChromium } from './chromium-executable.js';

describe('findChromium', () => {
  it('uses CROSSRT_CHROMIUM when it is executable', () => {
    expect(findChromium({ CROSSRT_CHROMIUM: process.execPath })).toBe(process.execPath);
  });
  it('fails with TARGET_UNAVAILABLE and the install hint, never a download', () => {
    try {
      findChromium({ CROSSRT_CHROMIUM: '/nonexistent/chromium' });
      expect.unreachable();
    } catch (e) {
      expect(isCrossrtError(e) && e.code).toBe('TARGET_UNAVAILABLE');
      expect((e as Error).message).toBe('CROSSRT_CHROMIUM=/nonexistent/chromium is not an executable file');
      expect(CHROMIUM_INSTALL_HINT).toContain('apt-get install chromium');
      expect(CHROMIUM_INSTALL_HINT).toContain('never downloads');
    }
  });
});
