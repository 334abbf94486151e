import { z } from 'zod';
import { PASSWORD_MAX } from './domain/passwords';

const email = z.email({ message: 'Must be an email address' }).max(254);
const name = z.string().trim().min(1, 'Must not be empty').max(100);
// Length limits here; the strength rules (with the reason given) are the domain's.
const password = z.string().min(1, 'Must not be empty').max(PASSWORD_MAX * 4);

export const Profile = z.strictObject({
  company: z.string().trim().max(100).optional(),
  website: z.url({ protocol: /^https?$/ }).max(200).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 code, e.g. DE').optional(),
  bio: z.string().max(1000).optional(),
});

export const SignupBody = z.object({ name, email, password, profile: Profile.optional() });
export const LoginBody = z.object({ email, password });
export const VerifyQuery = z.object({ token: z.string().min(16).max(200) });
export const UpdateAccountBody = z
  .object({ name: name.optional(), email: email.optional(), profile: Profile.optional() })
  .refine((body) => Object.values(body).some((v) => v !== undefined), 'Give at least one of name, email, profile');
export const ChangePasswordBody = z.object({ currentPassword: password, newPassword: password });
export const PreferencesBody = z.strictObject({ productUpdates: z.boolean(), analytics: z.boolean() });
export const IdPath = z.object({ id: z.string().regex(/^[a-z]{3}_[0-9a-f]{24}$/, 'Not a valid id') });
export const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
export const CreateKeyBody = z.object({ name });
