import { z } from 'zod';
import { defineRoutes, IdPath } from '../shared/routes';
import {
  AccountView,
  AuditEventView,
  ChangePasswordBody,
  CreateKeyBody,
  KeyView,
  LimitQuery,
  EmailBody,
  LoginBody,
  NeutralResult,
  PasswordResetBody,
  PasswordResetResult,
  LoginResult,
  Preferences,
  SecurityEventView,
  SessionView,
  SignupBody,
  SignupResult,
  UpdateAccountBody,
  VerifyQuery,
  VerifyResult,
} from './schemas';

const noContent = { 204: { description: 'Done' } } as const;

/** Sign-up, sign-in, sessions, the account holder's own data, and API keys. */
export const accountRoutes = defineRoutes({
  signup: {
    method: 'POST', path: '/v1/auth/signup', handler: 'auth-signup', auth: 'public',
    summary: 'Create an account; the same answer whether or not the email has one',
    body: SignupBody, responses: { 201: { description: 'Verification link mailed', schema: SignupResult } }, errors: [400, 413, 415, 429],
  },
  verify: {
    method: 'GET', path: '/v1/auth/verify', handler: 'auth-verify', auth: 'public',
    summary: 'Follow a single-use link from a verification, email-change or "was this you?" (sign-in paused) mail',
    query: VerifyQuery, responses: { 200: { description: 'Confirmed', schema: VerifyResult } }, errors: [400, 409],
  },
  resendVerification: {
    method: 'POST', path: '/v1/auth/verify/resend', handler: 'auth-signup', auth: 'public',
    summary: 'Mail a new verification link to an unverified account; the same answer whether or not the address has one',
    description: 'At most 3 an hour per address and 20 per IP address; past that, 429 with Retry-After.',
    body: EmailBody, responses: { 202: { description: 'A link is mailed if the address has an unverified account', schema: NeutralResult } }, errors: [400, 413, 415, 429],
  },
  requestPasswordReset: {
    method: 'POST', path: '/v1/auth/password-reset', handler: 'auth-password-reset', auth: 'public',
    summary: 'Mail a single-use link that sets a new password; the same answer whether or not the address has an account',
    description: 'At most 3 an hour per address and 20 per IP address; past that, 429 with Retry-After. The link opens the console page /reset-password and works once, for an hour.',
    body: EmailBody, responses: { 202: { description: 'A link is mailed if the address has an account', schema: NeutralResult } }, errors: [400, 413, 415, 429],
  },
  confirmPasswordReset: {
    method: 'POST', path: '/v1/auth/password-reset/confirm', handler: 'auth-password-reset', auth: 'public',
    summary: 'Set a new password with the mailed link\'s token (once); every session is signed out and the owner is mailed',
    body: PasswordResetBody, responses: { 200: { description: 'The password is set', schema: PasswordResetResult } }, errors: [400, 413, 415],
    audit: { action: 'password.reset' },
  },
  login: {
    method: 'POST', path: '/v1/auth/login', handler: 'auth-login', auth: 'public',
    summary: 'Check a password and open a session (cookie, and a token for bearer use)',
    body: LoginBody, responses: { 200: { description: 'Signed in', schema: LoginResult } }, errors: [400, 401, 403, 413, 415, 429],
  },
  logout: {
    method: 'POST', path: '/v1/auth/logout', handler: 'auth-logout', auth: 'session',
    summary: 'End this session', responses: noContent, errors: [401],
    audit: { action: 'session.end' },
  },
  getAccount: {
    method: 'GET', path: '/v1/account', handler: 'account', auth: 'session',
    summary: 'The caller\'s account (access)', responses: { 200: { description: 'The account', schema: AccountView } }, errors: [401],
  },
  updateAccount: {
    method: 'PATCH', path: '/v1/account', handler: 'account', auth: 'session',
    summary: 'Correct name, profile or email (a new email is confirmed from that address)',
    body: UpdateAccountBody, responses: { 200: { description: 'The account', schema: AccountView } }, errors: [400, 401, 403, 409, 413, 415, 429],
    audit: { action: 'account.update' },
  },
  changePassword: {
    method: 'POST', path: '/v1/account/password', handler: 'account-password', auth: 'session',
    summary: 'Change the password; other sessions are signed out',
    body: ChangePasswordBody, responses: noContent, errors: [400, 401, 413, 415],
    audit: { action: 'password.change' },
  },
  getPreferences: {
    method: 'GET', path: '/v1/account/preferences', handler: 'account-preferences', auth: 'session',
    summary: 'Processing objections and mail preferences', responses: { 200: { description: 'Preferences', schema: Preferences } }, errors: [401],
  },
  setPreferences: {
    method: 'PUT', path: '/v1/account/preferences', handler: 'account-preferences', auth: 'session',
    summary: 'Set processing objections and mail preferences (objection)',
    body: Preferences, responses: { 200: { description: 'Preferences', schema: Preferences } }, errors: [400, 401, 413, 415],
    audit: { action: 'preferences.set' },
  },
  listSessions: {
    method: 'GET', path: '/v1/account/sessions', handler: 'account-sessions', auth: 'session',
    summary: 'The caller\'s open sessions', responses: { 200: { description: 'Sessions, newest first', schema: z.object({ sessions: z.array(SessionView) }) } }, errors: [401],
  },
  revokeSession: {
    method: 'DELETE', path: '/v1/account/sessions/{id}', handler: 'account-sessions', auth: 'session',
    summary: 'Sign one of the caller\'s sessions out', params: IdPath, responses: noContent, errors: [400, 401, 404],
    audit: { action: 'session.revoke', target: 'session' },
  },
  auditEvents: {
    method: 'GET', path: '/v1/account/audit', handler: 'account-security-events', auth: 'session',
    summary: "The account's audit trail: who (you or an operator) did what to it, when and from where, newest first, hash-chained",
    query: LimitQuery,
    responses: { 200: { description: 'A page of audit events', schema: z.object({ events: z.array(AuditEventView), nextCursor: z.string().optional() }) } },
    errors: [400, 401],
  },
  securityEvents: {
    method: 'GET', path: '/v1/account/security-events', handler: 'account-security-events', auth: 'session',
    summary: 'The caller\'s sign-ins, password and key changes, newest first, one page at a time',
    query: LimitQuery,
    responses: { 200: { description: 'A page of events', schema: z.object({ events: z.array(SecurityEventView), nextCursor: z.string().optional() }) } },
    errors: [400, 401],
  },
  createKey: {
    method: 'POST', path: '/v1/keys', handler: 'keys', auth: 'session',
    summary: 'Create an API key; its secret is shown once',
    body: CreateKeyBody,
    responses: { 201: { description: 'The key and its secret', schema: KeyView.extend({ secret: z.string(), notice: z.string() }) } },
    errors: [400, 401, 403, 409, 413, 415, 429],
    audit: { action: 'key.create' },
  },
  listKeys: {
    method: 'GET', path: '/v1/keys', handler: 'keys', auth: 'session',
    summary: 'The caller\'s API keys (never their secrets), each with its last use: time and address',
    description: 'The last use is read from the call logs (90 days), newest first: a key idle while the account\'s other keys made more than 20,000 calls since shows none.',
    responses: { 200: { description: 'Keys', schema: z.object({ keys: z.array(KeyView) }) } }, errors: [401],
  },
  revokeKey: {
    method: 'DELETE', path: '/v1/keys/{id}', handler: 'keys', auth: 'session',
    summary: 'Revoke a key', params: IdPath, responses: noContent, errors: [400, 401, 404],
    audit: { action: 'key.revoke', target: 'key' },
  },
  rollKey: {
    method: 'POST', path: '/v1/keys/{id}/roll', handler: 'keys', auth: 'session',
    summary: 'Issue a new secret; the old one works 24 hours more',
    params: IdPath,
    responses: {
      201: {
        description: 'The new key and its secret',
        schema: KeyView.extend({ secret: z.string(), previous: z.object({ keyId: z.string(), graceUntil: z.string() }), graceSeconds: z.number().int() }),
      },
    },
    errors: [400, 401, 404],
    audit: { action: 'key.roll', target: 'key' },
  },
});
