import { formatFloat32 } from './go-json.js';
import { goString } from './go-http.js';
import type { Proxy } from './proxy.js';
import type { Toxic } from './toxics/catalog.js';

/** Bodies in the field order of Toxiproxy's Go structs (json.Marshal keeps declaration order). */
export function toxicJson(toxic: Toxic): string {
  const attributes = Object.entries(toxic.attributes)
    .map(([key, value]) => `${goString(key)}:${value}`)
    .join(',');
  return (
    `{"attributes":{${attributes}},"name":${goString(toxic.name)},"type":${goString(toxic.type)},` +
    `"stream":${goString(toxic.stream)},"toxicity":${formatFloat32(toxic.toxicity)}}`
  );
}

export function toxicsJson(toxics: readonly Toxic[]): string {
  return `[${toxics.map(toxicJson).join(',')}]`;
}

export function proxyJson(proxy: Proxy): string {
  return (
    `{"name":${goString(proxy.name)},"listen":${goString(proxy.listen)},` +
    `"upstream":${goString(proxy.upstream)},"enabled":${proxy.enabled},"Logger":{},` +
    `"toxics":${toxicsJson(proxy.toxics.list())}}`
  );
}

/** Go marshals a map with its keys sorted, and a nil slice as null. */
export function proxyIndexJson(proxies: readonly Proxy[]): string {
  const sorted = [...proxies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `{${sorted.map((p) => `${goString(p.name)}:${proxyJson(p)}`).join(',')}}`;
}

export function proxyListJson(proxies: readonly Proxy[]): string {
  return proxies.length === 0 ? 'null' : `[${proxies.map(proxyJson).join(',')}]`;
}
