/** Scrapes a Prometheus endpoint and reads it with a real text-format parser. */
import { get } from 'node:http';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';

export type Scrape = Family[];

export function parseMetrics(text: string): Scrape {
  return parsePrometheusTextFormat(text);
}

/** GET url: the parsed families, or undefined when nothing answers (not started yet, or gone). */
export function scrape(url: string): Promise<{ contentType: string; families: Scrape } | undefined> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? { contentType: String(res.headers['content-type']), families: parseMetrics(body) } : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
  });
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sample(families: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const matching = (family?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matching[0] === undefined ? undefined : Number(matching[0].value);
}
