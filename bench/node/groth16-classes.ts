/**
 * The circuit classes of `zkgpu bench groth16 --circuit-class`: circom2 + circomlib circuits of the
 * kinds web apps prove most (hashes, Merkle paths, range checks, many public inputs), built once by
 * `node scripts/make-groth16-fixtures.mjs --classes ...` into .cache/groth16/classes/<class>/ (the
 * script holds their sources and sizes; this file only finds them and prints their summary).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Groth16BenchReport, Groth16BenchResult } from '../core/schema.js';
import { formatBytes, formatMs, formatSpeedup } from '../core/table.js';

/** The classes `--circuit-class all` runs, in this order (cheapest witness first is not needed: each is its own process). */
export const CIRCUIT_CLASSES = ['sha256', 'merkle', 'bits', 'manypublic'] as const;

/** A class with its size: "merkle" (the default depth 20) or "merkle-4" (depth 4). */
const CLASS_SPEC = /^([a-z0-9]+?)(?:-(\d+))?$/;

export function classesDir(root: string): string {
  return join(root, '.cache/groth16/classes');
}

/**
 * The directory of each class spec, or the reason it cannot be run (unknown class, not built yet:
 * with the command that builds it).
 */
export function resolveClasses(list: string, root: string): { spec: string; dir: string }[] | string {
  const specs =
    list.trim() === 'all'
      ? [...CIRCUIT_CLASSES]
      : list
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (specs.length === 0) return `--circuit-class needs class names or "all" (${CIRCUIT_CLASSES.join(', ')})`;
  const unknown = specs.filter((s) => !(CIRCUIT_CLASSES as readonly string[]).includes(CLASS_SPEC.exec(s)?.[1] ?? ''));
  if (unknown.length > 0) return `unknown circuit class ${unknown.map((s) => `"${s}"`).join(', ')}; known: ${CIRCUIT_CLASSES.join(', ')} (a size suffix: merkle-4)`;
  if (new Set(specs).size !== specs.length) return `--circuit-class names a class twice: ${specs.join(',')}`;
  const resolved = specs.map((spec) => ({ spec, dir: join(classesDir(root), spec) }));
  const missing = resolved.filter((c) => !existsSync(join(c.dir, 'circuit.zkey')) || !existsSync(join(c.dir, 'witness.wtns')));
  if (missing.length > 0) {
    const names = missing.map((c) => c.spec).join(',');
    return `circuit class ${names} not built in ${classesDir(root)}: make it once with node scripts/make-groth16-fixtures.mjs --classes ${names}`;
  }
  return resolved;
}

type ClassEntry = NonNullable<Groth16BenchReport['classes']>[number];

/** One line per class: medians, ratio to snarkjs, gap to rapidsnark (when timed), peak RSS of each prover. */
export function classSummaryLines(classes: readonly ClassEntry[], withRapidsnark: boolean): string[] {
  const cols: [string, number][] = [
    ['class', 14],
    ['constraints', 11],
    ['zkgpu ms', 9],
    ['snarkjs ms', 10],
    ['ratio', 7],
    ...(withRapidsnark
      ? ([
          ['rapidsnark ms', 13],
          ['gap', 7],
        ] as [string, number][])
      : []),
    ['RSS zkgpu', 10],
    ['RSS snarkjs', 11],
    ...(withRapidsnark ? ([['RSS rapidsnark', 14]] as [string, number][]) : []),
  ];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(cols[i][1]) : c.padStart(cols[i][1])))
      .join('  ')
      .trimEnd();
  const header = line(cols.map(([h]) => h));
  const out = [header, '-'.repeat(header.length)];
  const pick = (results: Groth16BenchResult[], impl: Groth16BenchResult['impl']) => results.find((r) => r.impl === impl);
  const ms = (r: Groth16BenchResult | undefined) => (r ? formatMs(r.ms.median) : 'failed');
  const rss = (r: Groth16BenchResult | undefined) => (r?.peakRssBytes == null ? '?' : formatBytes(r.peakRssBytes));
  const ratio = (x: number | null | undefined) => (x == null ? '-' : formatSpeedup(x));
  for (const c of classes) {
    const z = pick(c.results, 'zkgpu');
    const s = pick(c.results, 'snarkjs');
    const r = pick(c.results, 'rapidsnark');
    out.push(
      line([
        c.class,
        c.config.constraints === null ? '?' : String(c.config.constraints),
        ms(z),
        ms(s),
        ratio(c.speedup),
        ...(withRapidsnark ? [ms(r), ratio(c.rapidsnarkGap)] : []),
        rss(z),
        rss(s),
        ...(withRapidsnark ? [rss(r)] : []),
      ]),
    );
  }
  return out;
}
