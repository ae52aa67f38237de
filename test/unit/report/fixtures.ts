import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Result } from '../../../src/result/result.js';

/**
 * Real result.json files, written by `mqtt-chaos run` against managed Mosquitto 2.0 and
 * embedded Aedes (see test/fixtures/report/README.md), read from the source tree (tsc does
 * not copy JSON into dist). Each call gives a fresh copy, free to edit.
 */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../../test/fixtures/report/', import.meta.url));

export type FixtureName = 'persistent-session' | 'aedes-quickstart' | 'queue-limit' | 'capacity' | 'session-expiry' | 'message-expiry' | 'capacity-ramp';

export function fixturePath(name: FixtureName): string {
  return `${FIXTURE_DIR}${name}.result.json`;
}

export function loadFixture(name: FixtureName): Result {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Result;
}
