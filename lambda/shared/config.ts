import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { countMetric, logger, SHARED_METRIC } from './observability';
import { ssm } from './ssm-client';
import {
  DEFAULT_CONFIG_CACHE_TTL_SECONDS,
  DEFAULT_FEATURE_FLAGS,
  DEFAULT_MAX_REQUEST_BYTES,
  ENV,
  MAX_MAX_REQUEST_BYTES,
  MIN_MAX_REQUEST_BYTES,
  type ApiConfigDocument,
  type FeatureFlagsDocument,
} from '../../src/contract/runtime-config';

/**
 * Runtime configuration of both functions: the API config and feature-flag
 * documents from SSM Parameter Store, fetched together in one GetParameters call,
 * cached for a TTL, and fail safe. The tracking handler reads both; the stream
 * processor reads the flags (`real_time_notifications`) once per batch.
 *
 * Why a plain GetParametersCommand and not Powertools Parameters
 * (`SSMProvider.getParametersByName` with maxAge): measured on Node 24.21 with the
 * production esbuild flags, benchmarks/cold-start.ts, 15 interleaved samples, the
 * only difference between the two builds being this file:
 *   bundle        492,780 B (plain)  vs 502,963 B (Parameters): +10.2 kB
 *   cold import   69.4 ms            vs 69.4 ms   (reference 63.1 ms; no measurable difference)
 *   first POST    103.4 ms           vs 103.8 ms  (1.16× vs 1.18× the reference; budget 1.20×)
 * Cold import alone would not decide it. What does: the fail-safe rules need a cache
 * of their own anyway — Parameters caches only successes, so a missing or broken
 * parameter or an unreachable SSM would be asked again on every request, and it
 * reads maxAge 0 as its 5 s default — which leaves its cache redundant and its
 * 10 kB paying for one SDK call (docs/decisions/0004-no-powertools-parameters.md).
 */

/** What one request sees: both documents, complete (defaults filled in). */
export interface RuntimeConfig {
  readonly api: ApiConfigDocument;
  readonly flags: FeatureFlagsDocument;
}

export interface RuntimeConfigLoaderOptions {
  readonly ssm: SSMClient;
  /** Name of the {@link ApiConfigDocument} parameter; unset = always the defaults. */
  readonly configParameterName?: string;
  /** Name of the {@link FeatureFlagsDocument} parameter; unset = always the defaults. */
  readonly flagsParameterName?: string;
  /** How long a fetched (or fallen-back) value is used before SSM is asked again; 0 = every request. */
  readonly ttlMs: number;
  /** Deploy-time defaults: partial documents are merged over these, and they serve until SSM first answers. */
  readonly defaults: RuntimeConfig;
  /** Told once per refresh that could not use SSM's answer for some document. */
  readonly onFallback?: (problems: readonly string[], cause?: unknown) => void;
}

type Parser<T> = (raw: unknown, base: T) => T | undefined;

/**
 * Caches both documents for `ttlMs`, fetched together in one GetParameters call.
 *
 * Fail safe: when SSM throws or is unreachable, or a parameter is missing or not a
 * valid document, that document falls back to its last known good value, else the
 * deploy-time default. The fallback is cached for the same TTL, so a broken SSM
 * is asked once per TTL, not once per request. Never throws.
 */
export class RuntimeConfigLoader {
  private cached?: { readonly value: RuntimeConfig; readonly fetchedAt: number };
  private inFlight?: Promise<RuntimeConfig>;
  private lastGoodApi?: ApiConfigDocument;
  private lastGoodFlags?: FeatureFlagsDocument;

  constructor(private readonly options: RuntimeConfigLoaderOptions) {}

  /** The current configuration; asks SSM only when the cached value is older than the TTL. */
  public get(): Promise<RuntimeConfig> {
    if (this.cached && Date.now() - this.cached.fetchedAt < this.options.ttlMs) {
      return Promise.resolve(this.cached.value);
    }
    // Concurrent callers share one request.
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<RuntimeConfig> {
    const { configParameterName, flagsParameterName, defaults } = this.options;
    const names = [configParameterName, flagsParameterName].filter((name): name is string => !!name);
    const values = new Map<string, string | undefined>();
    let failure: unknown;
    if (names.length > 0) {
      try {
        const output = await this.options.ssm.send(new GetParametersCommand({ Names: names }));
        for (const parameter of output.Parameters ?? []) {
          if (parameter.Name) values.set(parameter.Name, parameter.Value);
        }
      } catch (error) {
        failure = error;
      }
    }

    const problems: string[] = [];
    const resolve = <T>(what: string, name: string | undefined, parse: Parser<T>, base: T, lastGood: T | undefined) => {
      if (!name) return { value: base, good: undefined };
      const fallback = lastGood ?? base;
      if (failure !== undefined) {
        problems.push(`${what} parameter ${name}: SSM request failed`);
        return { value: fallback, good: undefined };
      }
      if (!values.has(name)) {
        problems.push(`${what} parameter ${name}: not found`);
        return { value: fallback, good: undefined };
      }
      const parsed = parse(parseJson(values.get(name)), base);
      if (!parsed) {
        problems.push(`${what} parameter ${name}: not a valid ${what} document`);
        return { value: fallback, good: undefined };
      }
      return { value: parsed, good: parsed };
    };

    const api = resolve('config', configParameterName, parseApiConfig, defaults.api, this.lastGoodApi);
    const flags = resolve('flags', flagsParameterName, parseFeatureFlags, defaults.flags, this.lastGoodFlags);
    this.lastGoodApi = api.good ?? this.lastGoodApi;
    this.lastGoodFlags = flags.good ?? this.lastGoodFlags;
    if (problems.length > 0) this.options.onFallback?.(problems, failure);

    const value: RuntimeConfig = { api: api.value, flags: flags.value };
    this.cached = { value, fetchedAt: Date.now() };
    return value;
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An {@link ApiConfigDocument} merged over `base`, or undefined when `raw` is not
 * an object or a known field has a wrong type or is out of range.
 */
export function parseApiConfig(raw: unknown, base: ApiConfigDocument): ApiConfigDocument | undefined {
  if (!isObject(raw)) return undefined;
  const bytes = raw.max_request_bytes;
  if (bytes === undefined) return { ...base };
  // The construct enforces the same range; a hand-edited parameter outside it is refused.
  const valid = typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= MIN_MAX_REQUEST_BYTES && bytes <= MAX_MAX_REQUEST_BYTES;
  return valid ? { ...base, max_request_bytes: bytes } : undefined;
}

/** A {@link FeatureFlagsDocument} merged over `base`, or undefined when `raw` is not an object of booleans. */
export function parseFeatureFlags(raw: unknown, base: FeatureFlagsDocument): FeatureFlagsDocument | undefined {
  if (!isObject(raw)) return undefined;
  const merged: Record<string, boolean> = { ...base };
  for (const key of Object.keys(base)) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return undefined;
    merged[key] = value;
  }
  return merged as unknown as FeatureFlagsDocument;
}

/**
 * The deploy-time defaults from DEFAULT_CONFIG / DEFAULT_FLAGS (JSON) merged over
 * the compiled-in ones, plus a note for every variable that could not be used.
 */
export function defaultsFromEnvironment(env: NodeJS.ProcessEnv): { defaults: RuntimeConfig; problems: string[] } {
  const problems: string[] = [];
  const compiledApi: ApiConfigDocument = { max_request_bytes: DEFAULT_MAX_REQUEST_BYTES };
  const fromEnv = <T>(variable: string, parse: Parser<T>, base: T): T => {
    const text = env[variable];
    if (!text) return base;
    const parsed = parse(parseJson(text), base);
    if (!parsed) problems.push(`${variable} is not a valid document; using the built-in defaults`);
    return parsed ?? base;
  };
  return {
    defaults: {
      api: fromEnv(ENV.DEFAULT_CONFIG, parseApiConfig, compiledApi),
      flags: fromEnv(ENV.DEFAULT_FLAGS, parseFeatureFlags, DEFAULT_FEATURE_FLAGS),
    },
    problems,
  };
}

/** CONFIG_CACHE_TTL_SECONDS in milliseconds (a non-negative number), else the default. */
export function cacheTtlMsFromEnvironment(env: NodeJS.ProcessEnv): number {
  const text = env[ENV.CONFIG_CACHE_TTL_SECONDS];
  const seconds = text === undefined || text.trim() === '' ? NaN : Number(text);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_CONFIG_CACHE_TTL_SECONDS) * 1000;
}

const environmentDefaults = defaultsFromEnvironment(process.env);
if (environmentDefaults.problems.length > 0) {
  logger.warn('deploy-time config defaults are invalid', { problems: environmentDefaults.problems });
  countMetric(SHARED_METRIC.CONFIG_FALLBACK);
}

/** The function's configuration (either function's), shared by every invocation of this execution environment. */
export const runtimeConfig = new RuntimeConfigLoader({
  ssm,
  configParameterName: process.env[ENV.CONFIG_PARAMETER_NAME],
  flagsParameterName: process.env[ENV.FLAGS_PARAMETER_NAME],
  ttlMs: cacheTtlMsFromEnvironment(process.env),
  defaults: environmentDefaults.defaults,
  onFallback: (problems, cause) => {
    logger.warn('SSM config unavailable; using the last known good or default values', { problems, cause });
    countMetric(SHARED_METRIC.CONFIG_FALLBACK);
  },
});
