/**
 * What a broker's codes mean, in the spec's words: MQTT 5 reason codes (§2.4) and the
 * MQTT 3.1.1 CONNACK return codes (§3.2.2.3), which share numbers 1-5 but not meanings
 * with anything in v5. Imports nothing: checks and reports name codes with it.
 */
import { ReasonCodes } from 'mqtt';

const V311_CONNACK: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const V311_SUBACK_FAILURE = 0x80;

export function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** "0x87 Not authorized"; 3.1.1: "CONNACK 5 (not authorized)" style, since 3.1.1 codes are decimal. */
export function codeName(code: number, protocol: '3.1.1' | '5', packet: string): string {
  if (protocol === '3.1.1') {
    if (packet === 'CONNACK') return `return code ${code} (${V311_CONNACK[code] ?? 'reserved'})`;
    if (packet === 'SUBACK' && code === V311_SUBACK_FAILURE) return '0x80 Failure';
  }
  const name = (ReasonCodes as Record<number, string>)[code];
  return name ? `${hex(code)} ${name}` : hex(code);
}

/** A v5 reason code at or above 0x80 is a refusal (§2.4); in 3.1.1 only SUBACK 0x80 and CONNACK ≠ 0 are. */
export function isFailure(code: number): boolean {
  return code >= 0x80;
}
