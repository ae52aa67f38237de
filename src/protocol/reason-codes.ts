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

/** The reason codes MQTT 5 allows in PUBACK and PUBREC (§3.4.2.1, §3.5.2.1). */
const PUBACK_CODES = new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
/** In PUBREL and PUBCOMP (§3.6.2.1, §3.7.2.1). */
const PUBCOMP_CODES = new Set([0x00, 0x92]);

/** Whether the spec allows `code` in this acknowledgement; a broker that sends another breaks the protocol. */
export function allowedInAck(code: number, packet: string): boolean {
  return (packet === 'PUBCOMP' || packet === 'PUBREL' ? PUBCOMP_CODES : PUBACK_CODES).has(code);
}

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
