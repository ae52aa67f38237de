import { ApiError } from './api-error.js';
import { toxiproxyVersion } from './version.js';
import { proxyIndexJson, proxyJson, proxyListJson, toxicJson, toxicsJson } from './api-json.js';
import { decodeGo, type GoType } from './go-json.js';
import { goString } from './go-http.js';
import type { ProxyCollection, ProxyInput } from './proxy-collection.js';
import { attributesGoType, isToxicType, parseDirection, toxicTypes, zeroAttributes, type Toxic } from './toxics/catalog.js';


export interface Reply {
  status: number;
  body?: string;
  contentType?: string;
}

export type Handler = (params: string[], body: string) => Promise<Reply>;

/** Routes as Toxiproxy's gorilla/mux router declares them: a path pattern and its methods. */
export interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const goString_ = { kind: 'string' } as const;
const proxyType: GoType = {
  kind: 'struct',
  name: 'Proxy',
  fields: { name: goString_, listen: goString_, upstream: goString_, enabled: { kind: 'bool' } },
};
const populateType: GoType = {
  kind: 'slice',
  goName: '[]struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }',
  elem: { ...proxyType, fields: { ...proxyType.fields, enabled: { kind: 'pointer', elem: { kind: 'bool' } } } } as GoType,
};
const toxicWrapperType: GoType = {
  kind: 'struct',
  name: 'ToxicWrapper',
  fields: {
    attributes: { kind: 'struct', name: 'NoopToxic', fields: {} },
    name: goString_,
    type: goString_,
    stream: goString_,
    toxicity: { kind: 'float32' },
  },
};

function decode<T>(body: string, type: GoType, initial: T): T {
  const result = decodeGo(body, type, initial);
  if ('error' in result) throw ApiError.badBody(result.error);
  return result.value as T;
}

const json = (body: string, status = 200): Reply => ({ status, body });

export function routes(proxies: ProxyCollection): Route[] {
  const toxicOf = (params: string[]): { toxic: Toxic; proxyName: string } => {
    const [proxyName = '', toxicName = ''] = params;
    const toxic = proxies.get(proxyName).toxics.get(toxicName);
    if (!toxic) throw ApiError.toxicNotFound();
    return { toxic, proxyName };
  };

  const updateProxy: Handler = async ([name = ''], body) => {
    const proxy = proxies.get(name);
    const input = decode(body, proxyType, {
      name: '',
      listen: proxy.listen,
      upstream: proxy.upstream,
      enabled: proxy.enabled,
    });
    await proxy.update(input);
    return json(proxyJson(proxy));
  };

  const updateToxic: Handler = async (params, body) => {
    const { toxic, proxyName } = toxicOf(params);
    const type: GoType = {
      kind: 'struct',
      name: '',
      fields: { attributes: attributesGoType(toxic.type), toxicity: { kind: 'float32' } },
    };
    const input = decode(body, type, { attributes: { ...toxic.attributes }, toxicity: toxic.toxicity });
    toxic.attributes = input.attributes;
    toxic.toxicity = input.toxicity;
    proxies.get(proxyName).toxics.updated(toxic);
    return json(toxicJson(toxic));
  };

  return [
    {
      pattern: /^\/reset$/,
      methods: {
        POST: async () => {
          for (const proxy of proxies.all()) {
            await proxy.start();
            proxy.toxics.reset();
          }
          return { status: 204 };
        },
      },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        GET: async () => json(proxyIndexJson(proxies.all())),
        POST: async (_, body) => {
          const input = decode<ProxyInput>(body, proxyType, { name: '', listen: '', upstream: '', enabled: true });
          if (input.name.length < 1) throw ApiError.missingField('name');
          if (input.upstream.length < 1) throw ApiError.missingField('upstream');
          return json(proxyJson(await proxies.add(input)), 201);
        },
      },
    },
    {
      pattern: /^\/populate$/,
      methods: { POST: async (_, body) => populate(proxies, body) },
    },
    {
      pattern: /^\/proxies\/([^/]+)$/,
      methods: {
        GET: async ([name = '']) => json(proxyJson(proxies.get(name))),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ([name = '']) => {
          proxies.remove(name);
          return { status: 204 };
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics$/,
      methods: {
        GET: async ([name = '']) => json(toxicsJson(proxies.get(name).toxics.list())),
        POST: async ([name = ''], body) => {
          const proxy = proxies.get(name);
          const wrapper = decode(body, toxicWrapperType, {
            attributes: {},
            name: '',
            type: '',
            stream: 'downstream',
            toxicity: 1,
          });
          const direction = parseDirection(wrapper.stream);
          if (!direction) throw ApiError.invalidStream();
          const toxicName = wrapper.name || `${wrapper.type}_${wrapper.stream}`;
          if (!isToxicType(wrapper.type)) throw ApiError.invalidToxicType();
          if (proxy.toxics.get(toxicName)) throw ApiError.toxicExists();
          const type: GoType = { kind: 'struct', name: '', fields: { attributes: attributesGoType(wrapper.type) } };
          const { attributes } = decode(body, type, { attributes: zeroAttributes(wrapper.type) });
          const toxic: Toxic = {
            name: toxicName,
            type: wrapper.type,
            stream: wrapper.stream,
            direction,
            toxicity: wrapper.toxicity,
            attributes: orderedAttributes(wrapper.type, attributes),
          };
          proxy.toxics.add(toxic);
          return json(toxicJson(toxic));
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      methods: {
        GET: async (params) => json(toxicJson(toxicOf(params).toxic)),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: async (params) => {
          const { toxic, proxyName } = toxicOf(params);
          proxies.get(proxyName).toxics.remove(toxic);
          return { status: 204 };
        },
      },
    },
    {
      pattern: /^\/version$/,
      methods: {
        GET: async () => ({
          status: 200,
          body: `{"version": "${toxiproxyVersion}"}\n`,
          contentType: 'application/json;charset=utf-8',
        }),
      },
    },
  ];
}

/** Keeps Go's field order whatever order the request gave the keys in. */
function orderedAttributes(type: keyof typeof toxicTypes, values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(toxicTypes[type].attributes)) out[key] = values[key] ?? 0;
  return out;
}

/** Validates every entry before creating any; on failure reports what was created so far. */
async function populate(proxies: ProxyCollection, body: string): Promise<Reply> {
  const done: Awaited<ReturnType<ProxyCollection['add']>>[] = [];
  const fail = (err: ApiError): Reply => ({
    status: err.status,
    body: `{"error":${goString(err.message)},"status":${err.status},"proxies":${proxyListJson(done)}}`,
  });
  type Entry = { name: string; listen: string; upstream: string; enabled: boolean | null };
  let entries: Entry[];
  try {
    entries = decode<Entry[]>(body, populateType, []);
  } catch (err) {
    return fail(err as ApiError);
  }
  for (const [i, entry] of entries.entries()) {
    if (entry.name.length < 1) return fail(ApiError.missingField(`name at proxy ${i + 1}`));
    if (entry.upstream.length < 1) return fail(ApiError.missingField(`upstream at proxy ${i + 1}`));
  }
  for (const entry of entries) {
    try {
      done.push(await proxies.addOrReplace({ ...entry, enabled: entry.enabled ?? true }));
    } catch (err) {
      return fail(err instanceof ApiError ? err : new ApiError((err as Error).message, 500));
    }
  }
  return { status: 201, body: `{"proxies":${proxyListJson(done)}}` };
}
