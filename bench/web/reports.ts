/**
 * Reports in and out of the page: files, URLs and permalinks in (each through bench/core's
 * parseReport, so a malformed file or another schema version gets its one clear sentence), the
 * JSON download and a permalink out (the report gzip-compressed into the URL's hash, so a result
 * can be shared without a server).
 */
import { type AnyBenchReport, type BenchReport, ReportFormatError, parseReport } from '../core/schema.js';

export interface LoadedReport {
  /** Shown in plots and tables: the machine (GPU or CPU, browser or node) plus where it came from. */
  machine: string;
  source: string;
  report: BenchReport;
}

/** One sentence for a report that could not be read (not JSON, wrong schema, a Groth16-only report). */
export class ReportLoadError extends Error {
  override readonly name = 'ReportLoadError';
}

/** Parses JSON text from `source` into a loaded report, or throws a ReportLoadError saying what is wrong. */
export function readReport(text: string, source: string): LoadedReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReportLoadError(`${source} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let report: AnyBenchReport;
  try {
    report = parseReport(json, source);
  } catch (e) {
    if (e instanceof ReportFormatError) throw new ReportLoadError(e.message);
    throw e;
  }
  if (report.kind === 'groth16') {
    throw new ReportLoadError(`${source} is a "zkgpu bench groth16" report: this page compares MSM/NTT reports (zkgpu bench --json, or this page's own)`);
  }
  return { machine: machineName(report), source, report };
}

/** "AMD EPYC · 2 cores · llvmpipe · node v20.20.2", "8 cores · SwiftShader · Chrome 156": what tells two machines apart at a glance. */
export function machineName(report: BenchReport): string {
  const hw = report.hardware;
  // Adapter descriptions carry driver versions ("llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)"): the name before them is enough.
  const gpu = hw.gpu ? (hw.gpu.description || hw.gpu.device || hw.gpu.architecture || hw.gpu.vendor).split(/[:(,]/)[0].trim() : null;
  const cpu = hw.cpuModel
    ? hw.cpuModel
        .replace(/\(R\)|\(TM\)|\b(CPU|Processor)\b|@.*$|\s\d+-Core/g, '')
        .replace(/\s+/g, ' ')
        .trim()
    : null;
  const where = hw.userAgent ? browserName(hw.userAgent) : hw.nodeVersion ? `node ${hw.nodeVersion}` : hw.platform;
  return [cpu, `${hw.logicalCores ?? '?'} cores`, gpu, where].filter(Boolean).join(' · ');
}

function browserName(ua: string): string {
  const m = /(Firefox|Edg|OPR|Chrome|Version)\/(\d+)/.exec(ua);
  if (!m) return 'browser';
  const name = m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1];
  return `${name} ${m[2]}${/Mobile|Android|iPhone/.test(ua) ? ' mobile' : ''}`;
}

export async function fetchReport(url: string): Promise<LoadedReport> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ReportLoadError(
      `${url} could not be fetched: ${e instanceof Error ? e.message : String(e)} (a report on another origin must send CORS and Cross-Origin-Resource-Policy headers)`,
    );
  }
  if (!res.ok) throw new ReportLoadError(`${url}: HTTP ${res.status} ${res.statusText}`);
  return readReport(await res.text(), url);
}

export async function readFile(file: File): Promise<LoadedReport> {
  return readReport(await file.text(), file.name);
}

// ---- permalinks: #report=<base64url(gzip(JSON))>

const HASH_KEY = 'report';

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: GenericTransformStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** The page's URL with the report in the hash (gzip: a quick report of ~6 KiB JSON becomes ~2 KiB). */
export async function permalink(report: BenchReport, base = location.href): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(report)), new CompressionStream('gzip'));
  const url = new URL(base);
  url.search = '';
  url.hash = `${HASH_KEY}=${toBase64Url(packed)}`;
  return url.href;
}

/** The report a permalink carries, or null when the hash holds none. */
export async function reportFromHash(hash = location.hash): Promise<LoadedReport | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const packed = params.get(HASH_KEY);
  if (packed === null) return null;
  let text: string;
  try {
    text = new TextDecoder().decode(await pipe(fromBase64Url(packed), new DecompressionStream('gzip')));
  } catch (e) {
    throw new ReportLoadError(`the permalink's report could not be unpacked (truncated link?): ${e instanceof Error ? e.message : String(e)}`);
  }
  return readReport(text, 'the permalink');
}

export function downloadJson(report: BenchReport, name: string): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(report, null, 2)}\n`], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
