/**
 * Components a test needs that a developer's machine may lack. Locally a missing one skips
 * the tests that need it, with the reason; under CI (`CI=true`, as `.ci/run` runs) it fails
 * the test file instead, so a CI machine without Mosquitto cannot turn a third of the suite
 * into skips and still pass.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findMosquitto } from './brokers.js';

const ci = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');

/** `found`, or undefined outside CI; under CI a missing component throws. */
function required<T>(found: T | undefined, what: string, install: string): T | undefined {
  if (found !== undefined || !ci) return found;
  throw new Error(`${what} is not installed, and CI=true requires it: ${install}`);
}

/** The Mosquitto broker binary (PATH, then /usr/sbin). */
export function requireMosquitto(): string | undefined {
  return required(findMosquitto(), 'mosquitto', 'apt-get install mosquitto');
}

/** An executable of Mosquitto's client tools (mosquitto_passwd, mosquitto_pub), on PATH or in /usr/bin. */
export function requireMosquittoTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin'].filter((d) => d !== '');
  const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  return required(found, name, 'apt-get install mosquitto mosquitto-clients');
}

/** Debian's Chromium, for the report.html tests. */
export function requireChromium(path: string): string | undefined {
  return required(existsSync(path) ? path : undefined, path, 'apt-get install chromium');
}
