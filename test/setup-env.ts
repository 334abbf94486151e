// Tests read no real AWS account and print no Powertools logs unless asked to.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Handlers whose routes write audit events find the trail where the local tables are named by their logical names.
process.env.TABLE_AUDIT_EVENTS ??= 'auditEvents';
