import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { outputName } from '../lambdas/shared/env-names';
import type { StageConfig } from './config';
import { Accounts } from './constructs/accounts';
import { Api } from './constructs/api';
import { Billing } from './constructs/billing';
import { Console } from './constructs/console';
import { Data } from './constructs/data';
import { Mail } from './constructs/mail';
import { MailDelivery } from './constructs/mail-delivery';
import { Metering } from './constructs/metering';
import { Notices } from './constructs/notices';
import { type FunctionDefaults, OmnApiFunction } from './constructs/omnapi-function';
import { Ops } from './constructs/ops';
import { Privacy } from './constructs/privacy';

export interface OmnApiStackProps extends StackProps {
  readonly config: StageConfig;
}

const RETENTION: Record<StageConfig['cloudWatchLogRetentionDays'], logs.RetentionDays> = {
  7: logs.RetentionDays.ONE_WEEK,
  30: logs.RetentionDays.ONE_MONTH,
  90: logs.RetentionDays.THREE_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
};

/** The whole platform in one stack; each concern is a construct from `lib/constructs/`. */
export class OmnApiStack extends Stack {
  public readonly data: Data;
  public readonly api: Api;
  public readonly accounts: Accounts;
  public readonly metering: Metering;
  public readonly billing: Billing;
  public readonly privacy: Privacy;
  public readonly mail: Mail;
  public readonly ops: Ops;
  public readonly console: Console;
  public readonly mailDelivery: MailDelivery;
  public readonly notices: Notices;

  constructor(scope: Construct, id: string, props: OmnApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.data = new Data(this, 'Data', { retainData: config.retainData });
    const { tables } = this.data;
    const base: FunctionDefaults = {
      key: this.data.key,
      logRetention: RETENTION[config.cloudWatchLogRetentionDays],
      usageLogRetentionDays: config.usageLogRetentionDays,
      logRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      auditRetentionDays: config.auditRetentionDays,
    };
    // Every function that sends mail honours the suppression list and reports through the configuration set.
    this.mailDelivery = new MailDelivery(this, 'MailDelivery', { defaults: base, suppressions: tables.suppressions });
    const defaults: FunctionDefaults = { ...base, mailDelivery: this.mailDelivery.binding };

    this.api = new Api(this, 'Api', {
      defaults,
      stage: config.stage,
      throttlingRateLimit: config.api.throttlingRateLimit,
      throttlingBurstLimit: config.api.throttlingBurstLimit,
      corsOrigins: config.corsOrigins,
      originSecretName: config.originSecretName,
      localOriginSecret: config.localOriginSecret,
    });
    // The console serves the API on its own origin: mailed links (console pages) go there unless a custom domain is given.
    this.console = new Console(this, 'Console', {
      httpApi: this.api.httpApi,
      defaults,
      accessLogs: this.data.accessLogs,
      retainData: config.retainData,
    });
    const publicUrl = config.publicUrl ?? this.console.url;
    this.accounts = new Accounts(this, 'Accounts', {
      defaults,
      api: this.api,
      tables,
      mailFrom: config.mailFrom,
      publicUrl,
    });
    this.metering = new Metering(this, 'Metering', {
      defaults,
      api: this.api,
      tables,
      publicUrl,
      catalog: config.catalog,
      keyCacheSeconds: config.keyCacheSeconds,
      mailFrom: config.mailFrom,
      addressWatch: config.addressWatch,
      hotPathTracing: config.hotPathTracing,
      delivery: config.delivery,
      drainEveryMinutes: config.drainEveryMinutes,
    });
    this.billing = new Billing(this, 'Billing', {
      defaults,
      api: this.api,
      tables,
      creditPacks: config.creditPacks,
      checkoutsPerHour: config.checkoutsPerHour,
      publicUrl,
      mailFrom: config.mailFrom,
      stripeSecretName: config.stripeSecretName,
      localStripe: config.localStripe,
      catalog: config.catalog,
    });
    this.privacy = new Privacy(this, 'Privacy', {
      defaults,
      api: this.api,
      tables,
      accessLogs: this.data.accessLogs,
      mailFrom: config.mailFrom,
      publicUrl,
      ...config.privacy,
      stripeSecret: this.billing.stripeSecret,
      stripeEnvironment: this.billing.stripeEnvironment,
      localPseudonymKeys: config.localPseudonymKeys,
      retainData: config.retainData,
    });
    this.mail = new Mail(this, 'Mail', {
      defaults,
      mailDomain: config.mailDomain,
      mailFrom: config.mailFrom,
      tickets: tables.tickets,
      accessLogs: this.data.accessLogs,
      retainData: config.retainData,
      privacyMailQueue: this.privacy.mailQueue,
    });
    this.privacy.bindInboundMail(this.mail.inboundBucket);
    this.notices = new Notices(this, 'Notices', {
      defaults,
      api: this.api,
      tables,
      mailFrom: config.mailFrom,
      noticesFrom: config.notices.from,
      mailDomain: config.mailDomain,
      publicUrl: config.publicUrl ?? this.api.endpoint,
      sendsPerSecond: config.notices.sendsPerSecond,
      localLinkKeys: config.localNoticeLinkKeys,
      retainData: config.retainData,
    });

    // What operators' tools look resources up by (`npm run ops`); the local runtime resolves the same outputs.
    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    for (const [name, table] of Object.entries(tables)) output(outputName('TABLE', name), table.tableName, `The ${name} table`);
    output('QueueUsageUrl', this.metering.usageQueue.queueUrl, 'The usage queue');
    output('QueueNoticesUrl', this.notices.queue.queueUrl, 'The notices queue: one message per recipient of a send (ops notice send)');
    output('QueueNoticesDlqUrl', this.notices.dlq.queueUrl, 'Recipients whose notice failed again and again (ops notice status)');
    output('Plans', Object.keys(config.catalog.plans).join(','), 'Rate-limit plans of the catalog');
    output('CreditPacks', JSON.stringify(config.creditPacks), 'Credit packs for sale');
    output('StripeSecretName', config.stripeSecretName, 'Secrets Manager secret with the Stripe API key and webhook secret');
    output('PrivacyStateMachineArn', this.privacy.stateMachine.stateMachineArn, 'The privacy workflow');
    output('MailFrom', config.mailFrom, 'The address platform mail is sent from');
    output(
      'MailConfigurationSet',
      this.mailDelivery.binding.configurationSetName,
      'The SES configuration set every message is sent through (bounces and complaints)',
    );
    output(
      'MailRuleSetName',
      this.mail.ruleSetName,
      'The SES receipt rule set: activate it once (aws ses set-active-receipt-rule-set --rule-set-name <this>)',
    );
    output('MailDomain', config.mailDomain, 'The domain whose mailboxes receive mail (ops tickets reply from them)');
    output('AuditRetentionDays', String(config.auditRetentionDays), "Days audit events are kept (the TTL operators' events get too)");
    if (this.privacy.pseudonymKeys)
      output('PseudonymKeysArn', this.privacy.pseudonymKeys.secretArn, 'The HMAC keys of kept pseudonyms (ops privacy pseudonyms)');
    output('ConsoleUrl', this.console.url, 'The customer console, with the API on the same origin under /v1/');
    output('GatewayLogGroup', this.metering.gateway.logGroup.logGroupName, "The metered gateway's log group (unqueued usage events)");

    this.ops = new Ops(this, 'Ops', {
      key: this.data.key,
      alarmEmail: config.alarmEmail,
      httpApi: this.api.httpApi,
      deadLetterQueues: {
        Notices: this.notices.dlq,
        MailFeedback: this.mailDelivery.feedbackDlq,
        Usage: this.metering.usageDlq,
        InboundMail: this.mail.inboundDlq,
        PrivacyMail: this.privacy.mailDlq,
        PrivacyWatchdog: this.privacy.watchdogDlq,
      },
      workQueues: { Notices: this.notices.queue, Usage: this.metering.usageQueue, PrivacyMail: this.privacy.mailQueue },
      stateMachines: { PrivacyWorkflow: this.privacy.stateMachine },
      functions: this.node.findAll().filter((c): c is OmnApiFunction => c instanceof OmnApiFunction),
      anyOccurrence: {
        UnqueuedUsageEvents: {
          metric: this.metering.unqueuedEvents,
          description: 'The gateway could not queue a usage event; it is in the gateway log for replay (runbook)',
        },
        PrivacyDeadlineNear: {
          metric: this.privacy.clockMetrics.PrivacyDeadlineNear,
          description: 'A privacy request is past 75 % of its legal time (ops privacy list)',
        },
        PrivacyOverdue: {
          metric: this.privacy.clockMetrics.PrivacyOverdue,
          description: 'A privacy request is past its legal deadline (ops privacy list --overdue)',
        },
        PrivacyRequestStuck: {
          metric: this.privacy.clockMetrics.PrivacyRequestStuck,
          description: 'A privacy request has waited on us over a day in one status',
        },
        KeySeenFromManyAddresses: {
          metric: this.metering.keysSeenFromManyAddresses,
          description:
            'An API key was used from an unusual number of addresses in an hour (security event on the account; suspended if addressWatch.suspend)',
        },
        PurchaseMismatch: {
          metric: this.billing.purchaseMismatches,
          description:
            'A Stripe checkout paid an amount or currency other than its pack: nothing was credited (security event on the account)',
        },
      },
    });
  }
}
