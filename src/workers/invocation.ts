/**
 * One `mqtt-chaos run` invocation's mark: a random nonce carried in every message header
 * (payload.ts) and, as a short token, in default client ids. A broker that outlives a run
 * keeps its sessions and queued messages; with the mark, the next invocation neither
 * resumes those sessions by accident nor counts their messages as its own.
 */
import { randomBytes } from 'node:crypto';

export function newInvocation(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** 7 characters of [a-z0-9] (36^7 > 2^32: one per nonce), accepted in any broker's client ids. */
export function invocationToken(invocation: number): string {
  return invocation.toString(36).padStart(7, '0');
}

/** A client id from its group's template: {i} and {invocation} substituted ({group} and {run} already are). */
export function clientIdOf(template: string, index: number, invocation: number): string {
  return template.replaceAll('{i}', String(index)).replaceAll('{invocation}', invocationToken(invocation));
}
