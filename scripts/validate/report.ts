import type { Problem } from './problem.ts';
import type { ValidationResult } from './validate.ts';

function problemLine(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.column}  ${problem.message}`;
}

/** Human-readable report: one block per check with counts and time, problems as path:line:col lines. */
export function formatReport(result: ValidationResult): string {
  const lines: string[] = [];
  for (const check of result.checks) {
    const status = check.problems.length === 0 ? 'PASS' : 'FAIL';
    const failedFiles = new Set(check.problems.map((p) => p.file)).size;
    lines.push(
      `${status}  ${check.name}: ${check.checked} ${check.unit} checked, ${check.problems.length} problem(s)` +
        `${failedFiles > 0 ? ` in ${failedFiles} file(s)` : ''} (${check.durationMs} ms)`
    );
    for (const note of check.notes) lines.push(`      ${note}`);
    const sorted = [...check.problems].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column
    );
    for (const problem of sorted) lines.push(`  ${problemLine(problem)}`);
  }
  const total = result.checks.reduce((sum, check) => sum + check.problems.length, 0);
  const passed = result.checks.filter((check) => check.problems.length === 0).length;
  lines.push(
    `${result.ok ? 'OK' : 'FAILED'}: ${passed}/${result.checks.length} checks passed, ${total} problem(s), ${(result.durationMs / 1000).toFixed(1)} s`
  );
  return lines.join('\n');
}

/** One check in the --json result. */
export type CheckSummary = {
  name: string;
  unit: string;
  checked: number;
  problems: number;
  durationMs: number;
  notes: string[];
};

/** The --json result: stable keys, problems flattened with the check they came from. */
export type ValidationJsonResult = {
  ok: boolean;
  durationMs: number;
  checks: CheckSummary[];
  problems: Array<Problem & { check: string }>;
  /** With --package-xml: the manifest of the chosen package, and which package it is. */
  packageXml?: { package: string; directory: string; xml: string };
};

/** What --json prints, in the sf CLI's shape: status 0 when every check passed, 1 otherwise. */
export type ValidationJson = { status: 0 | 1; result: ValidationJsonResult; warnings: string[] };

export function toJson(
  result: ValidationResult,
  packageXml?: ValidationJsonResult['packageXml']
): ValidationJson {
  return {
    status: result.ok ? 0 : 1,
    result: {
      ok: result.ok,
      durationMs: result.durationMs,
      checks: result.checks.map((check) => ({
        name: check.name,
        unit: check.unit,
        checked: check.checked,
        problems: check.problems.length,
        durationMs: check.durationMs,
        notes: check.notes
      })),
      problems: result.checks.flatMap((check) =>
        check.problems.map((problem) => ({ check: check.name, ...problem }))
      ),
      ...(packageXml ? { packageXml } : {})
    },
    warnings: []
  };
}
