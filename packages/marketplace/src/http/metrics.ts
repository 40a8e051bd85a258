/** Latency buckets, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Publish round sizes: how many publishes one signing round (one transaction) listed. */
const ROUND_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** One finished request, as metrics and logs see it. */
export interface RequestRecord {
  method: string;
  /** The route's path pattern (`/api/v1/plugins/:pluginId`), or `unmatched`. */
  route: string;
  status: number;
  durationMs: number;
  /** The error code answered, if any. */
  code?: string;
}

/** Counters of a server, rendered in the Prometheus text format. */
export interface MarketplaceMetrics {
  observe(record: RequestRecord): void;
  /** Counts a publish accepted. */
  countPublish(): void;
  /** Records one publish round (group commit): how many publishes it took. */
  observeRound(size: number): void;
  render(gauges: Readonly<Record<string, number>>): string;
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labels(values: Readonly<Record<string, string>>): string {
  return `{${Object.entries(values)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(',')}}`;
}

/** Makes the metrics of a server: requests, latencies, publishes, refusals (error codes). */
export function createMarketplaceMetrics(): MarketplaceMetrics {
  const requests = new Map<string, number>();
  const refusals = new Map<string, number>();
  const latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  let publishes = 0;
  const rounds = { buckets: ROUND_BUCKETS.map(() => 0), sum: 0, count: 0 };
  return {
    observe(record) {
      const requestKey = labels({
        method: record.method,
        route: record.route,
        status: String(record.status),
      });
      requests.set(requestKey, (requests.get(requestKey) ?? 0) + 1);
      if (record.code !== undefined) {
        const refusalKey = labels({ code: record.code });
        refusals.set(refusalKey, (refusals.get(refusalKey) ?? 0) + 1);
      }
      const latencyKey = record.route;
      const entry = latency.get(latencyKey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      const seconds = record.durationMs / 1000;
      BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) entry.buckets[index] = (entry.buckets[index] ?? 0) + 1;
      });
      entry.sum += seconds;
      entry.count += 1;
      latency.set(latencyKey, entry);
    },
    countPublish() {
      publishes += 1;
    },
    observeRound(size) {
      ROUND_BUCKETS.forEach((bound, index) => {
        if (size <= bound) rounds.buckets[index] = (rounds.buckets[index] ?? 0) + 1;
      });
      rounds.sum += size;
      rounds.count += 1;
    },
    render(gauges) {
      const lines: string[] = [
        '# HELP agentplug_marketplace_requests_total HTTP requests answered, by method, route and status.',
        '# TYPE agentplug_marketplace_requests_total counter',
      ];
      for (const [key, value] of requests) lines.push(`agentplug_marketplace_requests_total${key} ${value}`);
      lines.push(
        '# HELP agentplug_marketplace_request_duration_seconds Time to answer a request, by route.',
        '# TYPE agentplug_marketplace_request_duration_seconds histogram',
      );
      for (const [route, entry] of latency) {
        BUCKETS.forEach((bound, index) => {
          lines.push(
            `agentplug_marketplace_request_duration_seconds_bucket${labels({ route, le: String(bound) })} ${entry.buckets[index] ?? 0}`,
          );
        });
        lines.push(
          `agentplug_marketplace_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${entry.count}`,
        );
        lines.push(`agentplug_marketplace_request_duration_seconds_sum${labels({ route })} ${entry.sum}`);
        lines.push(`agentplug_marketplace_request_duration_seconds_count${labels({ route })} ${entry.count}`);
      }
      lines.push(
        '# HELP agentplug_marketplace_publishes_total Publishes accepted by this instance.',
        '# TYPE agentplug_marketplace_publishes_total counter',
        `agentplug_marketplace_publishes_total ${publishes}`,
        '# HELP agentplug_marketplace_publish_round_size Publishes listed by one signing round (concurrent publishes share a round: one transaction, one snapshot).',
        '# TYPE agentplug_marketplace_publish_round_size histogram',
        ...ROUND_BUCKETS.map(
          (bound, index) =>
            `agentplug_marketplace_publish_round_size_bucket${labels({ le: String(bound) })} ${rounds.buckets[index] ?? 0}`,
        ),
        `agentplug_marketplace_publish_round_size_bucket${labels({ le: '+Inf' })} ${rounds.count}`,
        `agentplug_marketplace_publish_round_size_sum ${rounds.sum}`,
        `agentplug_marketplace_publish_round_size_count ${rounds.count}`,
        '# HELP agentplug_marketplace_refusals_total Requests answered with an error, by code.',
        '# TYPE agentplug_marketplace_refusals_total counter',
      );
      for (const [key, value] of refusals) lines.push(`agentplug_marketplace_refusals_total${key} ${value}`);
      for (const [name, value] of Object.entries(gauges)) {
        lines.push(`# TYPE agentplug_marketplace_${name} gauge`, `agentplug_marketplace_${name} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
