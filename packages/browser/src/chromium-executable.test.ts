import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { CHROMIUM_INSTALL_HINT, findChromium, locateChromium, playwrightChromiumPath } from './chromium-executable.js';

describe('findChromium', () => {
  it('uses CROSSRT_CHROMIUM when it is executable', () => {
    expect(findChromium({ CROSSRT_CHROMIUM: process.execPath })).toBe(process.execPath);
    expect(locateChromium({ CROSSRT_CHROMIUM: process.execPath }).chosenBy).toBe('CROSSRT_CHROMIUM');
  });
  it('fails with TARGET_UNAVAILABLE and the install hint, never a download', () => {
    try {
      findChromium({ CROSSRT_CHROMIUM: '/nonexistent/chromium' });
      expect.unreachable();
    } catch (e) {
      expect(isCrossrtError(e) && e.code).toBe('TARGET_UNAVAILABLE');
      expect((e as Error).message).toBe('CROSSRT_CHROMIUM=/nonexistent/chromium is not an executable file');
      expect(CHROMIUM_INSTALL_HINT).toContain('apt-get install chromium');
      expect(CHROMIUM_INSTALL_HINT).toContain('npx playwright-core install chromium');
      expect(CHROMIUM_INSTALL_HINT).toContain('never downloads');
    }
  });
  it('falls back to a Playwright-installed browser when there is no system one', () => {
    // PLAYWRIGHT_BROWSERS_PATH is read when playwright-core loads, which this file's first call does.
    const browsers = mkdtempSync(join(tmpdir(), 'crossrt-pw-'));
    process.env['PLAYWRIGHT_BROWSERS_PATH'] = browsers;
    const expected = playwrightChromiumPath()!;
    expect(expected.startsWith(browsers)).toBe(true);
    expect(() => locateChromium({}, ['/nonexistent/chromium'])).toThrow(
      `no Chromium found (looked at /nonexistent/chromium, ${expected} (Playwright))`,
    );
    // What `npx playwright-core install chromium` leaves: an executable at that path.
    mkdirSync(dirname(expected), { recursive: true });
    writeFileSync(expected, '#!/bin/sh\n');
    chmodSync(expected, 0o755);
    expect(locateChromium({}, ['/nonexistent/chromium'])).toEqual({ path: expected, chosenBy: 'playwright' });
    // A system browser still comes first.
    expect(locateChromium({}, [process.execPath])).toEqual({ path: process.execPath, chosenBy: 'system' });
  });
});
