import * as path from 'node:path';

// What the CDK app and the local runtime agree on, apart from the constructs: the runtime serves a cached
// template without loading aws-cdk-lib (seconds of CPU at each start), so it takes these from here.

/** Project root: every `entry` is relative to it, so the local runtime can find the same file. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Template metadata key carrying a function's source entry, read by the local runtime. */
export const ENTRY_METADATA_KEY = 'omnapi:entry';
/** Template metadata key listing the files copied beside a function's bundle, read by the local runtime. */
export const BESIDE_BUNDLE_METADATA_KEY = 'omnapi:besideBundle';

/** Template metadata key naming a table's data-map entry; the local runtime names tables by it too. */
export const TABLE_METADATA_KEY = 'omnapi:table';

/** Metadata on each console deployment: the console's source folder, relative to the app, so the local runtime builds and serves the same thing. */
export const CONSOLE_SOURCE_METADATA_KEY = 'omnapi:console-source';

/** Context the local runtime sets on its synth; a deployment never does. */
export const LOCAL_CONTEXT_KEY = 'omnapi:local';

/** The API key the local Stripe test mode accepts; never a real one. */
export const LOCAL_TEST_MODE_KEY = 'sk_test_omnapi_local_test_mode';
