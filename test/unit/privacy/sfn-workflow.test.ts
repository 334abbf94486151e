import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsWorkflow } from '../../../lambdas/privacy/adapters/sfn-workflow';

const sfn = mockClient(SFNClient);
const workflow = new StepFunctionsWorkflow(sfn as unknown as SFNClient, 'arn:aws:states:us-east-1:000000000000:stateMachine:w');
const meta = { $metadata: {} };

describe('workflow callbacks', () => {
  beforeEach(() => sfn.reset());

  it('answers delivered when the execution took the callback', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await expect(workflow.resume('t', { confirmed: true })).resolves.toBe('delivered');
  });

  it.each([
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', ...meta })],
    ['TaskTimedOut', new TaskTimedOut({ message: 'timed out', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'bad token', ...meta })],
  ])('answers gone, without throwing, when the task no longer waits (%s)', async (_name, error) => {
    sfn.on(SendTaskFailureCommand).rejects(error);
    await expect(workflow.fail('t', 'RequestExpired', 'expired')).resolves.toBe('gone');
  });

  it('throws anything else, so the caller retries instead of leaving a confirmed request waiting', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(workflow.resume('t', { confirmed: true })).rejects.toThrow('Rate exceeded');
  });
});
