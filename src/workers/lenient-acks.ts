/**
 * Some brokers refuse a PUBLISH with a reason code MQTT 5 does not allow in PUBACK or PUBREC
 * (§3.4.2.1): Mosquitto 2.0 answers 0x95 Packet too large for a payload over its
 * message_size_limit. mqtt-packet's parser rejects such a packet ("Invalid puback reason
 * code") and parses nothing more on that connection, so the refusal would read as silence
 * and the message as never acknowledged. A worker thread widens the parser's table to every
 * failure code (≥ 0x80) before its clients connect, so mqtt.js hands the refusal to the
 * publisher like any other; the checks say which codes the spec does not allow there.
 */
import { createRequire } from 'node:module';
import { ReasonCodes } from 'mqtt';

interface PacketConstants {
  MQTT5_PUBACK_PUBREC_CODES: Record<number, string>;
}

/** Lets every failure code through mqtt-packet's PUBACK / PUBREC check, in this thread. */
export function acceptEveryPubackFailure(): void {
  // The same module instance mqtt.js's parser reads (one copy, hoisted; CommonJS cache per thread).
  const allowed = (createRequire(import.meta.url)('mqtt-packet/constants.js') as PacketConstants).MQTT5_PUBACK_PUBREC_CODES;
  for (const [code, name] of Object.entries(ReasonCodes as Record<number, string>)) {
    if (Number(code) >= 0x80 && allowed[Number(code)] === undefined) allowed[Number(code)] = name;
  }
}
