import { SfCommand } from '@salesforce/sf-plugins-core';
import type { SfError } from '@salesforce/core/sfError';
import { takeOverStopSignals } from './stop-signals.ts';

/**
 * The base of every tethr-sf command. sf-plugins-core writes a failed command's --json error with
 * its stack trace and `"cause": inspect(cause)`: the string "undefined" when there is none, the
 * cause's own stack when there is one. Neither helps a script, and stacks are noise in CI logs.
 * Here a --json error keeps sf's shape (name, message, exitCode, actions, context, data, code,
 * status, commandName, warnings) and names the causes, when there are any, in one line.
 */
export abstract class TethrCommand<T> extends SfCommand<T> {
  /**
   * sf-plugins-core answers SIGINT and SIGTERM with `this.exit(130)`, which throws from inside the
   * signal listener: Node prints an ExitError stack trace, or, where something catches uncaught
   * exceptions, the command runs on as if nothing happened. A stop exits with 130 here, quietly;
   * long-running commands (relay, relay serve, backfill, verify --resend, dead-letters retry) take
   * the signals over to drain first (takeOverStopSignals).
   */
  public override async init(): Promise<void> {
    await super.init();
    takeOverStopSignals(() => process.exit(130), ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']);
  }

  protected override async catch(error: Error | SfError): Promise<never> {
    if (this.jsonEnabled()) {
      const logJson = this.logJson.bind(this);
      this.logJson = (json: unknown) => logJson(publicJsonError(json, error));
    }
    return super.catch(error);
  }
}

/** sf's JSON error without the stack, with `cause` as "Name: message; Name: message" or absent. */
export function publicJsonError(json: unknown, error: unknown): Record<string, unknown> {
  const rest = { ...(json as Record<string, unknown>) };
  delete rest.stack;
  delete rest.cause;
  const causes = causeChain(error);
  return causes ? { ...rest, cause: causes } : rest;
}

function causeChain(error: unknown): string | undefined {
  const top = error instanceof Error ? error.message : undefined;
  const seen = new Set<unknown>([error]);
  const parts: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    seen.add(cause);
    const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    // SfError.wrap makes a plain error the cause of its own copy: that repeats the message.
    if (!(cause instanceof Error && cause.message === top)) parts.push(text);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
