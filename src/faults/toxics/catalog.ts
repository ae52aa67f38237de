import type { GoType } from '../go-json.js';

/** Toxiproxy's toxic types, with their attributes in Go's field order (that order is the JSON order). */
export const toxicTypes = {
  noop: { goName: 'NoopToxic', attributes: {} },
  latency: { goName: 'LatencyToxic', attributes: { latency: 'int64', jitter: 'int64' } },
  bandwidth: { goName: 'BandwidthToxic', attributes: { rate: 'int64' } },
  slow_close: { goName: 'SlowCloseToxic', attributes: { delay: 'int64' } },
  timeout: { goName: 'TimeoutToxic', attributes: { timeout: 'int64' } },
  reset_peer: { goName: 'ResetToxic', attributes: { timeout: 'int64' } },
  slicer: { goName: 'SlicerToxic', attributes: { average_size: 'int', size_variation: 'int', delay: 'int' } },
  limit_data: { goName: 'LimitDataToxic', attributes: { bytes: 'int64' } },
} as const satisfies Record<string, { goName: string; attributes: Record<string, 'int64' | 'int'> }>;

/** Go's stream.ParseDirection. */
export function parseDirection(stream: string): Direction | undefined {
  const lower = stream.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

export type ToxicType = keyof typeof toxicTypes;
/** Which way a toxic acts: upstream = client to server. */
export type Direction = 'upstream' | 'downstream';

export function isToxicType(type: string): type is ToxicType {
  return Object.hasOwn(toxicTypes, type);
}

/** A toxic as the API holds it; links read `attributes` and `toxicity` live. */
export interface Toxic {
  name: string;
  type: ToxicType;
  /** As the request gave it (Go matches it case-insensitively and keeps the text). */
  stream: string;
  direction: Direction;
  /** float32 in Go: kept rounded with Math.fround so comparisons match. */
  toxicity: number;
  attributes: Record<string, number>;
}

export function zeroAttributes(type: ToxicType): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(toxicTypes[type].attributes)) out[key] = 0;
  return out;
}

/** The Go struct a toxic's attributes decode into, for Go-identical error texts. */
export function attributesGoType(type: ToxicType): GoType {
  const spec = toxicTypes[type];
  const fields: Record<string, GoType> = {};
  for (const [key, kind] of Object.entries(spec.attributes)) fields[key] = { kind };
  return { kind: 'struct', name: spec.goName, fields };
}
