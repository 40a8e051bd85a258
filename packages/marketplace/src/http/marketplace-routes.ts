import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isValidPluginId, PluginError } from '@agentplug/models';
import {
  ARCHIVES_PATH,
  PLUGINS_PATH,
  SEARCH_PATH,
  type SearchQuery,
  TIMESTAMP_PATH,
} from '@agentplug/registry-client/protocol';
import type { MarketplaceService, RevocationInput } from '../service/marketplace-service';
import type { AccessControl } from './access-control';
import { readJsonBody, sendJson } from './http-helpers';
import type { HttpMethod, Route } from './route-table';

/** What the marketplace's routes need besides the marketplace. */
export interface MarketplaceRoutesOptions {
  /** Who may publish, yank and rate. */
  access: AccessControl;
  /** Reads an upload from `caller` (size cap, stall timeout, concurrency cap shared fairly between callers). */
  readUpload(request: IncomingMessage, caller: string): Promise<Buffer>;
  /** Told about each accepted publish (metrics). */
  published?(): void;
}

const READ: readonly HttpMethod[] = ['GET', 'HEAD'];

function requirePluginId(value: string | undefined): string {
  const pluginId = value ?? '';
  if (!isValidPluginId(pluginId))
    throw new PluginError('INVALID_ARGUMENT', `"${pluginId}" is not a plugin id`);
  return pluginId;
}

function readSearchQuery(parameters: URLSearchParams): SearchQuery {
  return {
    query: parameters.get('q') ?? undefined,
    pluginType: (parameters.get('type') ?? undefined) as SearchQuery['pluginType'],
    tags:
      parameters
        .get('tags')
        ?.split(',')
        .filter((tag) => tag !== '') ?? undefined,
    limit: Math.min(Number(parameters.get('limit') ?? 20) || 20, 500),
  };
}

/**
 * The marketplace's route table (PROTOCOL.md): the v2 metadata files, archives, search, a
 * plugin's entry, publish, yank and unyank, ratings.
 */
export function createMarketplaceRoutes(
  service: MarketplaceService,
  options: MarketplaceRoutesOptions,
): Route[] {
  const yankRoute = (action: 'yank' | 'unyank'): Route => ({
    methods: ['POST'],
    path: `/${PLUGINS_PATH}/:pluginId/versions/:version/${action}`,
    async handle({ request, response, params }) {
      const pluginId = requirePluginId(params.pluginId);
      const caller = await options.access.authenticate(request, 'yank');
      const version = params.version ?? '';
      if (version.length > 256)
        throw new PluginError('INVALID_ARGUMENT', 'a version is at most 256 characters');
      await service.yank(pluginId, version, action === 'yank', options.access.guard(caller));
      sendJson(response, 200, { plugin_id: pluginId, version, yanked: action === 'yank' });
    },
  });
  const revokeRoute = (action: 'revoke' | 'unrevoke'): Route => ({
    methods: ['POST'],
    path: `/${PLUGINS_PATH}/:pluginId/versions/:version/${action}`,
    async handle({ request, response, params }) {
      const pluginId = requirePluginId(params.pluginId);
      // A publisher may revoke versions in its namespaces (the yank scope); the operator token any.
      const caller = await options.access.authenticate(request, 'yank');
      const version = params.version ?? '';
      let revocation: RevocationInput | undefined;
      if (action === 'revoke') {
        const body = await readJsonBody(request, {
          maxBytes: 8192,
          expected: '{ "reason": "...", "severity": "low|medium|high|critical" }',
        });
        const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
        revocation = {
          reason: Object.hasOwn(record, 'reason') ? (record.reason as string) : '',
          severity: (Object.hasOwn(record, 'severity')
            ? record.severity
            : 'high') as RevocationInput['severity'],
        };
      }
      await service.revoke(pluginId, version, revocation, options.access.guard(caller));
      sendJson(response, 200, { plugin_id: pluginId, version, revoked: revocation !== undefined });
    },
  });
  // Every v2 file but the timestamp is named by its version or hash: cacheable forever.
  const metadataRoute = (path: string): Route => ({
    methods: READ,
    path,
    async handle({ request, response, method, url }) {
      const filePath = url.pathname.slice(1);
      const bytes = await service.readMetadata(filePath);
      if (bytes === undefined) throw new PluginError('NOT_FOUND', `no metadata file ${filePath}`);
      const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
      const headers = {
        etag,
        'cache-control': filePath === TIMESTAMP_PATH ? 'no-cache' : 'public, max-age=31536000, immutable',
      };
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, headers);
        response.end();
        return;
      }
      response.writeHead(200, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': bytes.byteLength,
      });
      response.end(method === 'HEAD' ? undefined : bytes);
    },
  });
  return [
    metadataRoute(`/${TIMESTAMP_PATH}`),
    metadataRoute('/v2/root/:file'),
    metadataRoute('/v2/snapshot/:file'),
    metadataRoute('/v2/tree/:file'),
    metadataRoute('/v2/targets/:pluginId/:file'),
    revokeRoute('revoke'),
    revokeRoute('unrevoke'),
    {
      methods: READ,
      path: `/${ARCHIVES_PATH}/:fileName`,
      async handle({ response, method, params }) {
        const fileName = params.fileName ?? '';
        const listed = await service.findArchive(fileName);
        if (listed === undefined) throw new PluginError('NOT_FOUND', `no archive named ${fileName}`);
        response.writeHead(200, {
          'content-type': 'application/gzip',
          'content-length': listed.archive.size,
          'cache-control': 'public, max-age=31536000, immutable',
        });
        if (method === 'HEAD') {
          response.end();
          return;
        }
        service.recordDownload(listed.pluginId);
        listed.archive.stream().pipe(response);
      },
    },
    {
      methods: ['GET'],
      path: `/${SEARCH_PATH}`,
      handle({ response, url }) {
        sendJson(response, 200, service.search(readSearchQuery(url.searchParams)));
      },
    },
    {
      methods: ['POST'],
      path: `/${PLUGINS_PATH}`,
      async handle({ request, response }) {
        const caller = await options.access.authenticate(request, 'publish');
        const archive = await options.readUpload(request, caller.actor.name);
        const result = await service.publish(archive, options.access.guard(caller));
        options.published?.();
        sendJson(response, 201, result);
      },
    },
    {
      methods: ['GET'],
      path: `/${PLUGINS_PATH}/:pluginId`,
      handle({ response, params }) {
        const pluginId = requirePluginId(params.pluginId);
        const entry = service.getPlugin(pluginId);
        if (entry === undefined) throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
        sendJson(response, 200, entry);
      },
    },
    yankRoute('yank'),
    yankRoute('unyank'),
    {
      methods: ['POST'],
      path: `/${PLUGINS_PATH}/:pluginId/ratings`,
      async handle({ request, response, params }) {
        const pluginId = requirePluginId(params.pluginId);
        if (service.getPlugin(pluginId) === undefined)
          throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
        // With publisher accounts a rating needs a token and counts once per account and plugin.
        const rater = options.access.ratingsNeedToken
          ? (await options.access.authenticate(request, 'rate')).actor.name
          : 'anonymous';
        const body = await readJsonBody(request, { maxBytes: 4096, expected: '{ "rating": 1..5 }' });
        const rating =
          typeof body === 'object' && body !== null ? (body as { rating?: unknown }).rating : undefined;
        sendJson(response, 200, await service.rate(pluginId, rating, rater));
      },
    },
  ];
}
