import type { DatasetCoordinator } from '../durable-objects/dataset-coordinator';

/** Bindings and vars declared in wrangler.toml (the same names in every environment). */
export interface Env {
  DB: D1Database;
  COORDINATOR: DurableObjectNamespace<DatasetCoordinator>;
  EXPORTS: R2Bucket;
  EXPORT_QUEUE: Queue<ExportJob>;
  ASSETS: Fetcher;

  ENVIRONMENT: string;
  SERVER_VERSION: string;
  CANONICAL: string;
  CLIENT_URL: string;
  DATA_HOSTS: string;
  CLIENT_HOSTS: string;
  CORSPROXY_HOSTS: string;
  LEGACY_HOSTS: string;
  PERMALINK_BASE: string;
  ADMIN_TOKEN?: string;
  /** The data app's public URL (with trailing slash), e.g. https://data.perio.do/ — the legacy `/` redirect names it. */
  DATA_URL: string;
  /** Comma-separated upstream domains the CORS proxy may reach (each with its subdomains). */
  CORS_PROXY_UPSTREAMS: string;
  /** Comma-separated caller origins: `https://perio.do`, `https://*.perio.do`, `http://localhost:*`. */
  CORS_PROXY_ORIGINS: string;
  /** Milliseconds to wait for an upstream's response headers before answering 504. */
  CORS_PROXY_TIMEOUT_MS: string;
  /** This environment's ORCID API client credentials (secrets); without them /register answers 503. */
  ORCID_CLIENT_ID?: string;
  ORCID_CLIENT_SECRET?: string;
  /** ORCID's address: https://orcid.org when unset; https://sandbox.orcid.org for sandbox credentials. */
  ORCID_BASE_URL?: string;
  /** Development only: `fake-orcid` signs people in offline as a contributor or an editor (workers/data/routes/dev-orcid.ts). */
  DEV_SIGN_IN?: string;
  /** Where alerts go (a secret: chat or SMS gateway webhook); the weekly audit posts to it. */
  ALERT_WEBHOOK?: string;
  CACHE_ZONE_ID?: string;
  CACHE_PURGE_TOKEN?: string;
}

/**
 * A message on the export queue: render one dataset version in one format into R2
 * (`json`: the version's authorities map, which `/d.json` serves between its per-request parts).
 */
export interface ExportJob {
  version: number;
  format: 'json' | 'search-index' | 'ttl' | 'nt' | 'csv';
  /** `merge`: queued because a merge made this version (skipped once a newer one exists). */
  trigger?: 'merge' | 'request';
}
