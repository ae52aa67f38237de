/** The agents that ran a run's clients, as result.json holds them (docs/scaling-out.md). */
export interface AgentShareResult {
  group: string;
  /** Client indices first … first + count - 1 of the group. */
  first: number;
  count: number;
}

export interface AgentResult {
  agent: number;
  /** As the agent named itself, and the address it joined from. */
  host: string;
  pid: number;
  address: string;
  shards: number[];
  clients: number;
  share: AgentShareResult[];
  /** Added to the agent's clock to get the coordinator's (ms), and its bound (± ms): cross-agent latencies are right within the sum of two such bounds. */
  clockOffsetMs: number;
  clockUncertaintyMs: number;
  /** Why the run lost it (its ledger is missing); absent when it finished. */
  lost?: string;
}
