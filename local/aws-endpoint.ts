import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { AccessDeniedError, accessKeyOf, type IamRequest, type LocalIam } from './iam';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './intrinsics';
import type { Outbox, SendEmailInput } from './outbox';
import { type LocalSqs, SqsError, type StoredMessage } from './sqs';
import { type LocalStepFunctions, SfnError } from './sfn';

/**
 * One local endpoint for the AWS services that have no embeddable server speaking today's SDK
 * protocol: SQS (JSON 1.0), Step Functions (JSON 1.0) and SES v2 (REST JSON). Lambda code uses its
 * real SDK clients against it through AWS_ENDPOINT_URL_SQS / _SFN / _SESV2.
 */
export function createAwsEndpoint(
  services: {
    sqs: LocalSqs;
    sfn: LocalStepFunctions;
    outbox: Outbox;
    iam?: LocalIam;
    /** Reports what SES would report of a sent message (the mailbox simulator's bounces and complaints) to its configuration set. */
    sesFeedback?: (sent: SendEmailInput, messageId: string) => void;
  },
  log: (line: string) => void,
  /** Requests served, by operation; the benchmark reads it. */
  calls: Map<string, number> = new Map(),
): http.Server {
  return http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const target = String(request.headers['x-amz-target'] ?? '') || `SESv2.${request.method} ${request.url?.split('?')[0]}`;
      calls.set(target, (calls.get(target) ?? 0) + 1);
      let body: Record<string, any> = {};
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text ? JSON.parse(text) : {};
        const key = accessKeyOf(request.headers);
        if (services.iam?.roleOf(key)) await services.iam.authorize(key, awsRequests(services, target, body));
        if (target.startsWith('AmazonSQS.')) {
          return reply(response, 200, sqsOperation(services.sqs, target.slice('AmazonSQS.'.length), body), 'application/x-amz-json-1.0');
        }
        if (target.startsWith('AWSStepFunctions.')) {
          return reply(
            response,
            200,
            sfnOperation(services.sfn, target.slice('AWSStepFunctions.'.length), body),
            'application/x-amz-json-1.0',
          );
        }
        if (request.method === 'POST' && request.url?.startsWith('/v2/email/outbound-emails')) {
          const messageId = await services.outbox.send(body as SendEmailInput);
          services.sesFeedback?.(body as SendEmailInput, messageId);
          return reply(response, 200, { MessageId: messageId }, 'application/json');
        }
        reply(
          response,
          400,
          { __type: 'UnknownOperationException', message: `Not emulated: ${target || request.url}` },
          'application/json',
        );
      } catch (error) {
        if (error instanceof AccessDeniedError) return accessDenied(response, target, error);
        if (error instanceof SqsError) {
          response.setHeader('x-amzn-query-error', `${error.type};Sender`);
          return reply(
            response,
            400,
            { __type: `com.amazonaws.sqs#${sqsErrorName(error.type)}`, message: error.message },
            'application/x-amz-json-1.0',
          );
        }
        if (error instanceof SfnError) {
          return reply(response, 400, { __type: `com.amazonaws.sfn#${error.type}`, message: error.message }, 'application/x-amz-json-1.0');
        }
        if (request.url?.startsWith('/v2/')) {
          response.setHeader('x-amzn-errortype', 'BadRequestException');
          return reply(response, 400, { message: (error as Error).message }, 'application/json');
        }
        log(`aws endpoint error for ${target || request.url}: ${(error as Error).message}`);
        reply(response, 500, { __type: 'InternalFailure', message: (error as Error).message }, 'application/json');
      }
    });
  });
}

/** The IAM requests of one SQS, Step Functions or SES call, with the KMS use of encrypted queues. */
export function awsRequests(
  services: { sqs: LocalSqs; sfn: LocalStepFunctions; iam?: LocalIam },
  target: string,
  body: Record<string, any>,
): IamRequest[] {
  if (target.startsWith('AmazonSQS.')) {
    const operation = target.slice('AmazonSQS.'.length).replace(/Batch$/, '');
    // Listing names no queue: it is granted on the account's queues as a whole.
    if (operation === 'ListQueues') return [{ action: 'sqs:ListQueues', resource: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:*` }];
    const queueArn = body.QueueUrl ? services.sqs.arnOf(body.QueueUrl) : body.QueueName ? services.sqs.arnOf(body.QueueName) : undefined;
    if (!queueArn) return [];
    const kms =
      operation === 'SendMessage' ? ['kms:GenerateDataKey', 'kms:Decrypt'] : operation === 'ReceiveMessage' ? ['kms:Decrypt'] : [];
    return [{ action: `sqs:${operation}`, resource: queueArn }, ...(services.iam?.kmsRequests(queueArn, kms) ?? [])];
  }
  if (target.startsWith('AWSStepFunctions.')) {
    const operation = target.slice('AWSStepFunctions.'.length);
    const resource =
      body.stateMachineArn ?? body.executionArn ?? (body.taskToken ? services.sfn.machineOfToken(body.taskToken) : undefined);
    return resource ? [{ action: `states:${operation}`, resource }] : [];
  }
  if (target.startsWith('SESv2.POST /v2/email/outbound-emails')) {
    const from = String(body.FromEmailAddress ?? '');
    const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
    const domain = address.split('@')[1] ?? address;
    // Sending through a configuration set needs SendEmail on the set too, as SES checks it.
    const set = body.ConfigurationSetName
      ? [
          {
            action: 'ses:SendEmail',
            resource: `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:configuration-set/${String(body.ConfigurationSetName)}`,
          },
        ]
      : [];
    // SES authorizes the identity it sends as: the address if the account verified the address itself, else its
    // domain. Which one a deployed account verified is not known here, so a send must be allowed as either.
    const identities = [...new Set([address, domain])].map((name) => ({
      action: 'ses:SendEmail',
      resource: `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:identity/${name}`,
    }));
    return [...identities, ...set];
  }
  return [];
}

/** AccessDenied in each protocol's own shape, as the SDK parses it. */
function accessDenied(response: http.ServerResponse, target: string, error: AccessDeniedError): void {
  if (target.startsWith('AmazonSQS.')) {
    response.setHeader('x-amzn-query-error', 'AccessDenied;Sender');
    reply(
      response,
      403,
      { __type: 'com.amazon.coral.service#AccessDeniedException', message: error.message },
      'application/x-amz-json-1.0',
    );
  } else if (target.startsWith('AWSStepFunctions.')) {
    reply(response, 400, { __type: 'com.amazonaws.sfn#AccessDeniedException', message: error.message }, 'application/x-amz-json-1.0');
  } else {
    response.setHeader('x-amzn-errortype', 'AccessDeniedException');
    reply(response, 403, { message: error.message }, 'application/json');
  }
}

function reply(response: http.ServerResponse, status: number, body: unknown, contentType: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'x-amzn-requestid': createHash('md5').update(String(Math.random())).digest('hex'),
  });
  response.end(JSON.stringify(body));
}

function sqsErrorName(type: string): string {
  return type === 'AWS.SimpleQueueService.NonExistentQueue' ? 'QueueDoesNotExist' : type;
}

function sqsOperation(sqs: LocalSqs, operation: string, body: Record<string, any>): unknown {
  switch (operation) {
    case 'SendMessage': {
      const message = sqs.sendMessage(body.QueueUrl, body.MessageBody, body.MessageAttributes);
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody, ...attributesDigest(message) };
    }
    case 'SendMessageBatch': {
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of body.Entries ?? []) {
        try {
          const message = sqs.sendMessage(body.QueueUrl, entry.MessageBody, entry.MessageAttributes);
          Successful.push({
            Id: entry.Id,
            MessageId: message.messageId,
            MD5OfMessageBody: message.md5OfBody,
            ...attributesDigest(message),
          });
        } catch (error) {
          if (!(error instanceof SqsError) || error.type.includes('NonExistentQueue')) throw error;
          Failed.push({ Id: entry.Id, Code: error.type, Message: error.message, SenderFault: true });
        }
      }
      return { Successful, Failed };
    }
    case 'ReceiveMessage': {
      const messages = sqs.receive(body.QueueUrl, Math.min(10, body.MaxNumberOfMessages ?? 1), body.VisibilityTimeout);
      return {
        Messages: messages.map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.md5OfBody,
          Body: m.body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
          MessageAttributes: Object.keys(m.messageAttributes).length ? m.messageAttributes : undefined,
          ...attributesDigest(m),
        })),
      };
    }
    case 'DeleteMessage':
      sqs.deleteMessage(body.QueueUrl, body.ReceiptHandle);
      return {};
    case 'DeleteMessageBatch':
      sqs.deleteMessages(
        body.QueueUrl,
        (body.Entries ?? []).map((entry: { ReceiptHandle: string }) => entry.ReceiptHandle),
      );
      return { Successful: (body.Entries ?? []).map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] };
    case 'ChangeMessageVisibility':
      sqs.changeVisibility(body.QueueUrl, body.ReceiptHandle, Number(body.VisibilityTimeout));
      return {};
    case 'GetQueueAttributes':
      return { Attributes: sqs.attributes(body.QueueUrl) };
    case 'GetQueueUrl':
      return { QueueUrl: sqs.urlOf(body.QueueName) };
    case 'ListQueues':
      return { QueueUrls: sqs.urls(body.QueueNamePrefix) };
    case 'PurgeQueue':
      sqs.purge(body.QueueUrl);
      return {};
    default:
      throw new SqsError('UnsupportedOperation', `SQS ${operation} is not emulated locally`);
  }
}

function sfnOperation(sfn: LocalStepFunctions, operation: string, body: Record<string, any>): unknown {
  switch (operation) {
    case 'StartExecution': {
      const execution = sfn.startExecution(body.stateMachineArn, body.input ?? '{}', body.name);
      return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
    }
    case 'DescribeExecution': {
      const e = sfn.describe(body.executionArn);
      return {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        stopDate: e.stopDate ? e.stopDate / 1000 : undefined,
        input: e.input,
        output: e.output,
        error: e.error,
        cause: e.cause,
      };
    }
    case 'SendTaskSuccess':
      sfn.sendTaskSuccess(body.taskToken, body.output ?? '{}');
      return {};
    case 'SendTaskFailure':
      sfn.sendTaskFailure(body.taskToken, body.error, body.cause);
      return {};
    case 'ListExecutions':
      return {
        executions: sfn
          .list(body.stateMachineArn)
          .filter((e) => !body.statusFilter || e.status === body.statusFilter)
          .map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: e.startDate / 1000,
          })),
      };
    default:
      throw new SfnError('UnsupportedOperation', `Step Functions ${operation} is not emulated locally`);
  }
}

/** SQS's MD5 of message attributes, which the SDK checks against what it sent. */
function attributesDigest(message: StoredMessage): { MD5OfMessageAttributes?: string } {
  const names = Object.keys(message.messageAttributes).sort();
  if (names.length === 0) return {};
  const hash = createHash('md5');
  const lengthPrefixed = (value: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    hash.update(length);
    hash.update(value);
  };
  for (const name of names) {
    const attribute = message.messageAttributes[name]!;
    lengthPrefixed(Buffer.from(name));
    lengthPrefixed(Buffer.from(attribute.DataType));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? ''));
    }
  }
  return { MD5OfMessageAttributes: hash.digest('hex') };
}
