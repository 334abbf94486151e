import {
  ExecutionAlreadyExists,
  InvalidToken,
  type SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { logger } from '../../shared/logger';
import type { PrivacyRequest } from '../domain/model';
import type { CallbackOutcome, Workflow } from '../domain/ports';

/** The privacy workflow on Step Functions: one execution per request, named after it. */
export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(request: PrivacyRequest): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: request.requestId,
          input: JSON.stringify({ requestId: request.requestId }),
        }),
      );
    } catch (error) {
      // Started before (a retried intake): the one execution goes on.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  resume(taskToken: string, output: Record<string, unknown>): Promise<CallbackOutcome> {
    return this.callBack(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })), 'resume');
  }

  fail(taskToken: string, error: string, cause: string): Promise<CallbackOutcome> {
    return this.callBack(() => this.client.send(new SendTaskFailureCommand({ taskToken, error, cause })), `fail (${error})`);
  }

  /** Only "this token no longer waits" is an answer; everything else is thrown for the caller's retry. */
  private async callBack(send: () => Promise<unknown>, what: string): Promise<CallbackOutcome> {
    try {
      await send();
      return 'delivered';
    } catch (error) {
      if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken) {
        logger.info('Workflow callback found no waiting task', { callback: what, reason: (error as Error).name });
        return 'gone';
      }
      logger.error('Workflow callback failed; it is retried', { callback: what, error: error as Error });
      throw error;
    }
  }
}
