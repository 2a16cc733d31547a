// Types for bench/floor-probe.mjs (plain JavaScript so that it runs as a bare node process).
export interface FloorTarget {
  readonly host: string;
  readonly port: number;
}
export interface FloorResult {
  readonly ms: number;
  readonly ok: number;
  readonly errors: readonly string[];
}
export function floorProbe(targets: readonly FloorTarget[], timeoutMs?: number): Promise<FloorResult>;
export function parseTargets(text: string): FloorTarget[];
