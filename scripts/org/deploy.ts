import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { Duration } from '@salesforce/kit';
import { loadMessages } from '../shared/messages.ts';
import { writeFilledTemplates, type GeneratedFile, type TemplateFill } from './templates.ts';
import { noProgress, type ProgressListener } from '../shared/step.ts';

const messages = loadMessages('org-deploy');

/** The repository root: the tool deploys this repository's metadata, wherever it is started from. */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const PACKAGE_DIR = 'force-app';

export interface ComponentFailure {
  type: string;
  fullName: string;
  /** path in the repository (templates are named by their template path) */
  file: string;
  problem: string;
}

export interface DeployOutcome {
  deployId: string;
  componentsDeployed: number;
  componentsTotal: number;
  /** false when the caller chose not to wait (waitMinutes 0): Salesforce is still deploying */
  done: boolean;
}

/** How long a deploy is waited for unless the caller says otherwise. */
export const DEFAULT_DEPLOY_WAIT_MINUTES = 60;

export interface DeployRequest {
  /** project-relative folders deployed as they are, e.g. ['force-app'] */
  sourcePaths: string[];
  templates: TemplateFill[];
  generated?: GeneratedFile[];
  /** metadata types left out of the deploy (e.g. the ECA when the legacy Connected App is used) */
  excludeTypes?: string[];
  /**
   * environment for sfdx-project.json "replacements" during conversion, e.g.
   * TETHR_ECA_DISTRIBUTION_STATE=Local for unpackaged deploys
   */
  replacementEnv?: Record<string, string>;
  onProgress?: ProgressListener;
  step?: string;
  pollIntervalMs?: number;
  /**
   * Minutes to wait for Salesforce to finish (default DEFAULT_DEPLOY_WAIT_MINUTES). 0: return as
   * soon as Salesforce has accepted the deploy, with its id and done: false. A deploy still running
   * when the time is up fails with DeployStillRunning, naming its id.
   */
  waitMinutes?: number;
}

/** Raised with the per-component errors when Salesforce rejects a deploy. */
export class DeployFailedError extends SfError {
  public constructor(
    message: string,
    public readonly failures: ComponentFailure[],
    actions: string[],
    name = 'DeployFailed'
  ) {
    super(message, name, actions);
  }
}

/**
 * Salesforce's exact wording for the Spring '26 block is not documented (UNCONFIRMED), so a
 * ConnectedApp failure that speaks of creating and of a refusal is taken as the block.
 */
function isConnectedAppCreationBlocked(problem: string): boolean {
  return (
    /connected ?app/i.test(problem) &&
    /creat|new/i.test(problem) &&
    /not allowed|blocked|disabled|no longer|can't|cannot|unable|not permitted/i.test(problem)
  );
}

/** Milliseconds between deploy status checks; TETHR_DEPLOY_POLL_MS shortens it for local test servers. */
function defaultPollInterval(): number {
  const fromEnv = Number(process.env.TETHR_DEPLOY_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2000;
}

/** Deploys the repository's metadata plus filled-in templates with source-deploy-retrieve. */
export async function deployMetadata(conn: Connection, request: DeployRequest): Promise<DeployOutcome> {
  const progress = request.onProgress ?? noProgress;
  const step = request.step ?? 'Deploy';
  const { ComponentSet } = await import('@salesforce/source-deploy-retrieve');
  const filled = await writeFilledTemplates(PROJECT_DIR, request.templates, request.generated ?? []);
  const savedEnv: Record<string, string | undefined> = {};
  try {
    const paths = [
      ...request.sourcePaths.map((p) => join(PROJECT_DIR, p)),
      ...(filled.origins.size > 0 ? [filled.directory] : [])
    ];
    let set = ComponentSet.fromSource({ fsPaths: paths });
    const excluded = new Set((request.excludeTypes ?? []).map((t) => t.toLowerCase()));
    if (excluded.size > 0) {
      set = new ComponentSet(
        set
          .getSourceComponents()
          .toArray()
          .filter((c) => !excluded.has(c.type.name.toLowerCase()))
      );
    }
    // "replacements" in sfdx-project.json apply only when the set knows its project.
    set.projectDirectory = PROJECT_DIR;
    set.apiVersion = conn.getApiVersion();
    set.sourceApiVersion = conn.getApiVersion();

    for (const [key, value] of Object.entries(request.replacementEnv ?? {})) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    progress({ step, phase: 'start', message: `${set.size} components` });
    const deploy = await set.deploy({
      usernameOrConnection: conn,
      apiOptions: { rollbackOnError: true, singlePackage: true }
    });
    restoreEnv(savedEnv);
    const waitMinutes = request.waitMinutes ?? DEFAULT_DEPLOY_WAIT_MINUTES;
    if (waitMinutes <= 0) {
      progress({ step, phase: 'start', message: `started ${deploy.id ?? ''}` });
      return { deployId: deploy.id ?? '', componentsDeployed: 0, componentsTotal: set.size, done: false };
    }
    deploy.onUpdate((status) => {
      const done = status.numberComponentsDeployed ?? 0;
      const total = status.numberComponentsTotal ?? 0;
      progress({ step, phase: 'start', message: `${status.status} ${done}/${total} components` });
    });
    const result = await deploy
      .pollStatus({
        frequency: Duration.milliseconds(request.pollIntervalMs ?? defaultPollInterval()),
        timeout: Duration.milliseconds(Math.round(waitMinutes * 60_000))
      })
      .catch(async (error: unknown) => {
        // SDR reports a timeout only as a message; asking Salesforce tells it from a real failure.
        const status = await deploy.checkStatus().catch(() => undefined);
        if (status && !status.done)
          throw messages.createError(
            'error.DeployStillRunning',
            [status.id, waitMinutes],
            [status.id, conn.getUsername() ?? '<org>'],
            error
          );
        throw error;
      });
    const response = result.response;
    if (!response.success) {
      const failures = result
        .getFileResponses()
        .filter((f) => f.state === 'Failed')
        .map((f) => ({
          type: f.type,
          fullName: f.fullName,
          file: repoPath(f.filePath, filled.origins),
          problem: 'error' in f ? String(f.error) : 'failed'
        }));
      throw deployError(
        failures.length > 0 ? failures : rawFailures(response.details),
        response.errorMessage
      );
    }
    return {
      deployId: response.id,
      componentsDeployed: response.numberComponentsDeployed,
      componentsTotal: response.numberComponentsTotal,
      done: true
    };
  } finally {
    restoreEnv(savedEnv);
    await filled.remove();
  }
}

/** Salesforce's own failure list, for failures SDR cannot match to a local file. */
function rawFailures(details: unknown): ComponentFailure[] {
  const list = (details as { componentFailures?: unknown } | undefined)?.componentFailures;
  const items = (Array.isArray(list) ? list : list ? [list] : []) as {
    componentType?: string;
    fullName?: string;
    fileName?: string;
    problem?: string;
  }[];
  return items.map((f) => ({
    type: f.componentType ?? '',
    fullName: f.fullName ?? '',
    file: f.fileName ?? '',
    problem: f.problem ?? 'failed'
  }));
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

function repoPath(filePath: string | undefined, origins: Map<string, string>): string {
  if (!filePath) return '';
  for (const [filled, template] of origins) {
    if (filePath === filled || filePath.startsWith(filled.replace(/-meta\.xml$/, ''))) return template;
  }
  return filePath.startsWith(PROJECT_DIR) ? relative(PROJECT_DIR, filePath) : filePath;
}

function deployError(failures: ComponentFailure[], errorMessage: string | undefined): DeployFailedError {
  const lines = failures.map((f) => `  ${f.type} ${f.fullName}${f.file ? ` (${f.file})` : ''}: ${f.problem}`);
  const blocked = failures.find((f) => f.type === 'ConnectedApp' && isConnectedAppCreationBlocked(f.problem));
  if (blocked) {
    return new DeployFailedError(
      messages.getMessage('error.ConnectedAppCreationBlocked', [blocked.fullName, lines.join('\n')]),
      failures,
      messages.getMessages('error.ConnectedAppCreationBlocked.actions'),
      'ConnectedAppCreationBlocked'
    );
  }
  const detail =
    lines.length > 0
      ? lines.join('\n')
      : `  ${errorMessage ?? messages.getMessage('detail.noComponentErrors')}`;
  return new DeployFailedError(
    messages.getMessage('error.DeployFailed', [detail]),
    failures,
    messages.getMessages('error.DeployFailed.actions')
  );
}
