import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import flowScanner, { type IRulesConfig } from '@flow-scanner/lightning-flow-scanner-core';
import { checkOwnFlowRules } from './flow-rules.ts';
import type { ParsedMetadataFile } from './parsed-files.ts';
import type { Problem } from './problem.ts';

// The package is CommonJS without named ESM exports, so take the functions off the default export.
const { parse, scan } = flowScanner;
const CONFIG_PATH = fileURLToPath(new URL('flow-scanner.config.json', import.meta.url));

export function loadFlowScannerConfig(): IRulesConfig {
  return JSON.parse(readFileSync(CONFIG_PATH, 'utf8')) as IRulesConfig;
}

/** Runs Lightning Flow Scanner with our rule configuration, then our own flow rules. */
export async function scanFlows(
  flows: ParsedMetadataFile[]
): Promise<{ checked: number; problems: Problem[] }> {
  if (flows.length === 0) return { checked: 0, problems: [] };
  const byPath = new Map(flows.map((flow) => [flow.absolutePath, flow]));
  const problems: Problem[] = [];
  const parsed = await parse(flows.map((flow) => flow.absolutePath));
  for (const result of parsed) {
    if (!result.flow) {
      const file = byPath.get(result.uri)?.file ?? result.uri;
      problems.push({
        file,
        line: 1,
        column: 1,
        message: `Lightning Flow Scanner cannot parse the flow: ${result.errorMessage ?? 'unknown error'}`
      });
    }
  }
  for (const result of scan(parsed, loadFlowScannerConfig())) {
    const path = result.flow.fsPath ?? result.flow.uri ?? '';
    const flow = byPath.get(path);
    const file = flow?.file ?? path;
    for (const rule of result.ruleResults) {
      if (rule.errorMessage) {
        problems.push({
          file,
          line: 1,
          column: 1,
          message: `Lightning Flow Scanner rule ${rule.ruleName} failed to run: ${rule.errorMessage}`
        });
      }
      if (!rule.occurs) continue;
      for (const violation of rule.details) {
        problems.push({
          file,
          line: violation.lineNumber || 1,
          column: violation.columnNumber || 1,
          message: `Lightning Flow Scanner ${rule.ruleName}: ${rule.ruleDefinition.label} (${violation.type} ${violation.name})`
        });
      }
    }
  }
  for (const flow of flows) problems.push(...checkOwnFlowRules(flow));
  return { checked: flows.length, problems };
}
