/**
 * A shared subscription's figures as result.json holds them (runs[].shared), one entry per
 * share. Plain types that import nothing, so the checks and the reports share them.
 */
export interface SharedGroupResult {
  /** The ShareName, and the filter every member subscribed to ($share/<share>/<topic>). */
  share: string;
  filter: string;
  /** Scenario groups whose clients are its members, and how many members. */
  groups: string[];
  members: number;
  /** Messages published to its topic (any outcome, any QoS). */
  sent: number;
  /** QoS>=1 messages owed once to the group (some member's session held the subscription): delivered + lost + endedWithMember. */
  expected: number;
  /** Owed messages that came to at least one member. */
  delivered: number;
  /** Owed messages that came to no member, with no session end to explain it. */
  lost: number;
  /**
   * Owed messages that came to no member, sent while a member's session that ended while it
   * was away (by the spec) may have held them: MQTT 5 §4.8.2 says the server SHOULD then send
   * a QoS 1 message to another member, and MUST NOT send a QoS 2 one [MQTT-4.8.2-5]. Counted
   * apart from `lost`: no MUST was broken.
   */
  endedWithMember: number;
  /** Delivered on a connection that was up from the message's sending to its arrival. */
  live: number;
  /** Delivered messages held in the session of a member that was away between sending and arrival. */
  stranded: {
    /** All of them: they came when that member returned. */
    deliveredOnReturn: number;
    /** Sent before that member's connection broke: in flight to it at the cut. */
    inFlightAtCut: number;
    /** Sent while it was away: the broker kept choosing it. */
    chosenWhileAway: number;
    /** Longest sending → arrival, and that member's return (CONNACK) → arrival, ms; null: none. */
    heldMaxMs: number | null;
    afterReturnMaxMs: number | null;
  };
  /** Messages that came to more than one member (re-sent to another), and the extra copies. */
  crossMember: { messages: number; copies: number };
  /** Extra copies at one member (QoS 1: allowed). */
  duplicates: number;
  /** Extra copies of QoS 2 messages, at one member or across members: each breaks exactly-once to the group. */
  qos2Duplicates: number;
  /** Not judged: sent too near a boundary of every member, or no copy while a member was still away at the end. */
  indeterminate: number;
  notReturned: number;
  /** Came though no member's session held the subscription. */
  unexpected: number;
  /** Publishes the broker refused or never acknowledged: not its to deliver. */
  refused: number;
  unacknowledged: number;
  /** First copies per member: fewest and most, per group, and per member (up to 50 members). */
  split: { min: number; max: number; byGroup: Record<string, number>; byMember?: Record<string, number> };
}

/** A built-in check on shared groups, shaped as result.json's Check (declared here, so the checks import nothing from the report). */
export interface SharedCheck {
  name: string;
  source: 'builtin';
  passed: boolean;
  actual: number;
  threshold: string;
  explanation: string;
}
