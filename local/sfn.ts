import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalStateMachine } from './assembly';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** setTimeout's ceiling: longer delays fire at once, so long timeouts are enforced here instead. */
const MAX_TIMER_MS = 2_147_483_647;

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'SfnError';
  }
}

/** Invokes a task's function as the state machine (whose ARN is given), with its role's permissions. */
type LambdaInvoker = (functionArn: string, payload: unknown, stateMachineArn: string) => Promise<unknown>;

/**
 * Step Functions on aws-local-stepfunctions: the synthesized ASL definition runs as is, its Lambda tasks
 * call the app's handlers in this process. Executions are recorded in the data folder.
 */
/** Where a `.waitForTaskToken` task's token goes in its input: replaced per run by a fresh token. */
const TASK_TOKEN_PLACEHOLDER = '__omnapi_local_task_token__';

export class LocalStepFunctions {
  private readonly machines = new Map<string, { spec: LocalStateMachine; machine: StateMachine; timeoutMs?: number }>();
  private readonly executions = new Map<string, Execution>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Tasks waiting for SendTaskSuccess / SendTaskFailure, by token. */
  private readonly waiting = new Map<
    string,
    { resolve: (output: unknown) => void; reject: (error: Error) => void; stateMachineArn: string }
  >();

  constructor(
    specs: LocalStateMachine[],
    private readonly invokeLambda: LambdaInvoker,
    private readonly log: (line: string) => void,
    private readonly dataDir?: string,
  ) {
    for (const spec of specs) {
      // The execution timeout (45 days for privacy requests) overflows the library's timer: keep it here.
      const { TimeoutSeconds, ...definition } = withTokenPlaceholders(spec.definition);
      this.machines.set(spec.arn, {
        spec,
        machine: new StateMachine(definition as never, { validationOptions: { checkArn: false } }),
        timeoutMs: typeof TimeoutSeconds === 'number' ? TimeoutSeconds * 1000 : undefined,
      });
    }
    if (dataDir) {
      fs.mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'executions.json');
      if (fs.existsSync(file)) {
        for (const execution of JSON.parse(fs.readFileSync(file, 'utf8')) as Execution[]) {
          // An execution cut off by a restart is not resumed: record it as aborted rather than pretend.
          if (execution.status === 'RUNNING') Object.assign(execution, { status: 'ABORTED', error: 'LocalRuntimeRestarted' });
          this.executions.set(execution.executionArn, execution);
        }
      }
    }
  }

  /** StartExecution: names are unique per state machine; the same name and input returns the first run. */
  startExecution(stateMachineArn: string, input = '{}', name: string = randomUUID()): Execution {
    const entry = this.machines.get(stateMachineArn);
    if (!entry) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === input) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const execution: Execution = { executionArn, stateMachineArn, name, status: 'RUNNING', input, startDate: Date.now() };
    this.executions.set(executionArn, execution);
    this.persist();

    const run = entry.machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(entry.spec.definition, stateMachineArn) as never },
      context: {
        Execution: { Id: executionArn, Name: name, Input: parsedInput, StartTime: new Date(execution.startDate).toISOString() },
      } as never,
    });
    const deadline =
      entry.timeoutMs === undefined
        ? undefined
        : longTimeout(entry.timeoutMs, () => {
            execution.status = 'TIMED_OUT';
            run.abort();
          });
    const done = run.result
      .then((output) => {
        if (execution.status === 'RUNNING') Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
      })
      .catch((error: Error & { cause?: unknown }) => {
        if (execution.status !== 'RUNNING') return;
        Object.assign(execution, { status: 'FAILED', error: error.name, cause: String(error.cause ?? error.message) });
        this.log(`execution ${name} of ${entry.spec.name} failed: ${error.message}`);
      })
      .finally(() => {
        deadline?.cancel();
        execution.stopDate = Date.now();
        this.persist();
        this.pending.delete(done);
      });
    this.pending.add(done);
    return execution;
  }

  describe(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  list(stateMachineArn: string): Execution[] {
    return [...this.executions.values()].filter((e) => e.stateMachineArn === stateMachineArn);
  }

  /** SendTaskSuccess: the waiting task returns `output` (JSON). */
  sendTaskSuccess(taskToken: string, output: string): void {
    const task = this.takeWaiting(taskToken);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnError('InvalidOutput', 'Invalid State Machine Execution Output: not JSON');
    }
    task.resolve(parsed);
  }

  /** SendTaskFailure: the waiting task fails with `error`, which its Catch can match. */
  sendTaskFailure(taskToken: string, error = 'States.TaskFailed', cause = ''): void {
    this.takeWaiting(taskToken).reject(Object.assign(new Error(cause), { name: error }));
  }

  /** The state machine a waiting task's token belongs to: what SendTaskSuccess is authorized on. */
  machineOfToken(taskToken: string): string | undefined {
    return this.waiting.get(taskToken)?.stateMachineArn;
  }

  private takeWaiting(taskToken: string) {
    const task = this.waiting.get(taskToken);
    if (!task) throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist: the token is unknown, or its task already ended');
    this.waiting.delete(taskToken);
    return task;
  }

  /** Resolves when every running execution has stopped. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Every Task state whose resource is a Lambda function runs the local handler instead. */
  private taskHandlers(definition: Record<string, any>, stateMachineArn: string): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const visit = (states: Record<string, any>) => {
      for (const [stateName, state] of Object.entries(states)) {
        if (state.Type === 'Task') {
          const resource = String(state.Resource);
          if (resource.startsWith('arn:aws:lambda:')) {
            handlers[stateName] = (input) => this.invokeLambda(resource, input, stateMachineArn);
          } else if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
            // The callback pattern: invoke with a fresh task token, then wait for SendTaskSuccess or SendTaskFailure.
            handlers[stateName] = async (input) => {
              const token = `local-${randomUUID()}`;
              const { FunctionName, Payload } = JSON.parse(JSON.stringify(input).replaceAll(TASK_TOKEN_PLACEHOLDER, token)) as {
                FunctionName: string;
                Payload: unknown;
              };
              const outcome = new Promise((resolve, reject) => this.waiting.set(token, { resolve, reject, stateMachineArn }));
              try {
                await this.invokeLambda(FunctionName, Payload, stateMachineArn);
              } catch (error) {
                this.waiting.delete(token);
                throw error;
              }
              return outcome;
            };
          } else if (resource === 'arn:aws:states:::lambda:invoke') {
            // The service integration wraps the answer, as Step Functions does.
            handlers[stateName] = async (input) => {
              const { FunctionName, Payload } = input as { FunctionName: string; Payload: unknown };
              return { StatusCode: 200, Payload: await this.invokeLambda(FunctionName, Payload, stateMachineArn) };
            };
          } else {
            throw new Error(`Local runtime cannot run task resource ${resource} (state ${stateName})`);
          }
        }
        for (const branch of state.Branches ?? []) visit(branch.States);
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) visit(processor.States);
      }
    };
    visit(definition.States);
    return handlers;
  }

  private persist(): void {
    if (!this.dataDir) return;
    const file = path.join(this.dataDir, 'executions.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify([...this.executions.values()]));
    fs.renameSync(`${file}.tmp`, file);
  }
}

/** Replaces `"x.$": "$$.Task.Token"` parameters (the library has no task tokens) with a placeholder each run fills in. */
function withTokenPlaceholders(definition: Record<string, any>): Record<string, any> {
  return JSON.parse(JSON.stringify(definition), (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, path] of Object.entries(value)) {
        if (name.endsWith('.$') && path === '$$.Task.Token') {
          delete value[name];
          value[name.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
        }
      }
    }
    return value;
  });
}

/** A timer that may run longer than setTimeout allows. */
function longTimeout(ms: number, fire: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const end = Date.now() + ms;
  const arm = () => {
    const left = end - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}
