/**
 * Scenario (soak): the memory sampler. RSS, the V8 heap (used and committed) and memory outside the
 * heap, read from /metrics every few seconds while the traffic runs; then the trend after warm-up.
 */
import { performance } from 'node:perf_hooks';
import { log, mean, round } from '../lib/common.js';
import { rssMB } from '../lib/proc.js';
import { fetchMetrics, type Service } from '../lib/start-service.js';

/** What is sampled, in MB: RSS, and the V8 heap used and committed, and memory outside the heap (Buffers). */
export const SERIES = [
  { key: 'rss', label: 'RSS', metric: 'process_resident_memory_bytes' },
  { key: 'heapUsed', label: 'heap used', metric: 'nodejs_heap_size_used_bytes' },
  { key: 'heapTotal', label: 'heap total', metric: 'nodejs_heap_size_total_bytes' },
  { key: 'external', label: 'external', metric: 'nodejs_external_memory_bytes' },
] as const;
export type SeriesKey = (typeof SERIES)[number]['key'];

export interface Sample {
  /** Seconds since the sampler started. */
  readonly t: number;
  readonly mb: Record<SeriesKey, number>;
}

async function sample(service: Service, t: number): Promise<Sample> {
  const mb = { rss: NaN, heapUsed: NaN, heapTotal: NaN, external: NaN } as Record<SeriesKey, number>;
  try {
    const text = await fetchMetrics(service, { signal: AbortSignal.timeout(10_000) });
    for (const { key, metric } of SERIES) mb[key] = Number(new RegExp(`^${metric} ([\\d.e+-]+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
  } catch (err) {
    log(`warning: /metrics unreadable: ${(err as Error).message}`);
  }
  // Without /metrics, the kernel's figure for RSS.
  if (!Number.isFinite(mb.rss)) mb.rss = rssMB(service.pid);
  return { t, mb };
}

export interface SamplerInput {
  readonly service: Service;
  readonly everyMs: number;
  /** The progress shown in each sample's log line. */
  readonly progress: () => { requests: number; failures: number };
}

export interface MemorySampler {
  /** performance.now() when sampling started (time 0 of the samples). */
  readonly t0: number;
  readonly samples: Sample[];
  /** Stops the interval, takes a last sample at `t` seconds and sorts the samples by time. */
  stop(t: number): Promise<void>;
}

/** Takes a first sample at time 0, then one every `everyMs`, until stopped. */
export async function startMemorySampler(input: SamplerInput): Promise<MemorySampler> {
  const { service } = input;
  const samples: Sample[] = [];
  const t0 = performance.now();
  samples.push(await sample(service, 0));
  const timer = setInterval(() => {
    const t = (performance.now() - t0) / 1000;
    void sample(service, t).then((s) => {
      samples.push(s);
      const { requests, failures } = input.progress();
      log(`t=${round(t, 0)} s  requests ${requests.toLocaleString('en')}  RSS ${round(s.mb.rss)} MB  heap ${round(s.mb.heapUsed)} MB  failures ${failures}`);
    });
  }, input.everyMs);
  return {
    t0,
    samples,
    stop: async (t) => {
      clearInterval(timer);
      samples.push(await sample(service, t));
      samples.sort((a, b) => a.t - b.t);
    },
  };
}

export interface MemoryTrend {
  readonly samples: number;
  readonly first: Record<SeriesKey, number>;
  readonly last: Record<SeriesKey, number>;
  /** MB per minute between the centres of the two windows. */
  readonly slope: Record<SeriesKey, number>;
  /**
   * The lowest heap used in each window: what survives a major GC. The mean also follows how far V8
   * lets garbage pile up between collections, which grows with the heap; the floor is what is kept.
   */
  readonly heapFloor: { readonly first: number; readonly last: number; readonly slope: number };
  readonly span: string;
}

/** Mean of the first third after warm-up against the mean of the last third, per minute between their centres. */
export function trend(samples: Sample[], warmup: number): MemoryTrend | null {
  const steady = samples.filter((s) => s.t >= warmup);
  const k = Math.floor(steady.length / 3);
  if (k < 1) return null;
  const firstWindow = steady.slice(0, k);
  const lastWindow = steady.slice(steady.length - k);
  const minutes = (mean(lastWindow.map((s) => s.t)) - mean(firstWindow.map((s) => s.t))) / 60;
  const first = {} as Record<SeriesKey, number>;
  const last = {} as Record<SeriesKey, number>;
  const slope = {} as Record<SeriesKey, number>;
  for (const { key } of SERIES) {
    first[key] = mean(firstWindow.map((s) => s.mb[key]));
    last[key] = mean(lastWindow.map((s) => s.mb[key]));
    slope[key] = (last[key] - first[key]) / minutes;
  }
  const floor = (window: Sample[]) => Math.min(...window.map((s) => s.mb.heapUsed));
  const heapFloor = { first: floor(firstWindow), last: floor(lastWindow), slope: (floor(lastWindow) - floor(firstWindow)) / minutes };
  const t = (s: Sample | undefined) => round(s?.t ?? NaN, 0);
  return { samples: k, first, last, slope, heapFloor, span: `${t(firstWindow[0])}–${t(firstWindow[k - 1])} s vs ${t(lastWindow[0])}–${t(lastWindow[k - 1])} s` };
}
