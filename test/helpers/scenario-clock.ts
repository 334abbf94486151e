import { type LocalDynamo, startLocalDynamo } from './local-dynamo';

/**
 * For scenarios that move through days: a local DynamoDB for the describe block, and `Date.now` mocked
 * to `at`, the moment the scenario is at (the usage API, erasure and the retention read the time).
 * Each test starts with the logs' retention unset, and the setting is put back after it.
 */
export function scenarioClock(): { readonly dynamo: LocalDynamo; at: number } {
  const scene = { dynamo: undefined as unknown as LocalDynamo, at: 0 };
  const saved = process.env.USAGE_LOG_RETENTION_DAYS;
  beforeAll(async () => {
    scene.dynamo = await startLocalDynamo();
  });
  afterAll(() => scene.dynamo.stop());
  beforeEach(() => {
    delete process.env.USAGE_LOG_RETENTION_DAYS;
    jest.spyOn(Date, 'now').mockImplementation(() => scene.at);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env.USAGE_LOG_RETENTION_DAYS;
    else process.env.USAGE_LOG_RETENTION_DAYS = saved;
  });
  return scene;
}
