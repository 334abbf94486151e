// Generated from docs/openapi.json by console/build.ts: do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the API and its functions answer */
        get: operations["platform.health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API as an OpenAPI 3.1 document, generated from the route manifests */
        get: operations["platform.openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account; the same answer whether or not the email has one */
        post: operations["accounts.signup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a single-use link from a verification, email-change or "was this you?" (sign-in paused) mail */
        get: operations["accounts.verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail a new verification link to an unverified account; the same answer whether or not the address has one
         * @description At most 3 an hour per address (its mailbox: anna+tag@ counts as anna@) and 20 per IP address; past that, 429 with Retry-After.
         */
        post: operations["accounts.resendVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail a single-use link that sets a new password; the same answer whether or not the address has an account
         * @description At most 3 an hour per address (its mailbox: anna+tag@ counts as anna@) and 20 per IP address; past that, 429 with Retry-After. The link opens the console page /reset-password and works once, for an hour.
         */
        post: operations["accounts.requestPasswordReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password with the mailed link's token (once); every session is signed out and the owner is mailed */
        post: operations["accounts.confirmPasswordReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check a password and open a session (cookie, and a token for bearer use) */
        post: operations["accounts.login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End this session */
        post: operations["accounts.logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's account (access) */
        get: operations["accounts.getAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Correct name, profile or email (a new email is confirmed from that address)
         * @description A new email needs `currentPassword`; only the newest address asked for can be confirmed, and asking for the current one withdraws a pending change. At most 3 change links an hour to one address (its mailbox: anna+tag@ counts as anna@) and 20 per IP address; past that, 429 with Retry-After.
         */
        patch: operations["accounts.updateAccount"];
        trace?: never;
    };
    "/v1/account/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the password; other sessions are signed out */
        post: operations["accounts.changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Processing objections and mail preferences */
        get: operations["accounts.getPreferences"];
        /**
         * Set processing objections and mail preferences (objection)
         * @description Replaces the whole preferences object, as PUT does: send what GET returned, with your changes. `productUpdates` and `analytics` are required; an optional field left out is reset to "not chosen" (`deprecationNotices` on, no low-balance threshold until a purchase sets one at a tenth of its pack, `locale` from each request), so a body of only the field you change clears the others. Unknown fields are refused.
         */
        put: operations["accounts.setPreferences"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's open sessions */
        get: operations["accounts.listSessions"];
        put?: never;
        post?: never;
        /** Sign every session of the caller's but this one out (signed in somewhere you do not know of) */
        delete: operations["accounts.revokeOtherSessions"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign one of the caller's sessions out */
        delete: operations["accounts.revokeSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The account's audit trail: who (you or an operator) did what to it, when and from where, newest first, hash-chained
         * @description Filters (action or kind of action, who acted, a time range) run in the API over at most 1,000 events per call: a filtered page may hold fewer events than `limit`, even none, and still give a `nextCursor` to read on from.
         */
        get: operations["accounts.auditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/security-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's sign-ins, password and key changes, newest first, one page at a time */
        get: operations["accounts.securityEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's API keys (never their secrets), each with its last use: time and address
         * @description The last use is read from the call logs (90 days), newest first: a key idle while the account's other keys made more than 20,000 calls since shows none.
         */
        get: operations["accounts.listKeys"];
        put?: never;
        /** Create an API key; its secret is shown once */
        post: operations["accounts.createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key */
        delete: operations["accounts.revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/roll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue a new secret; the old one works 24 hours more
         * @description A new secret is lasting access, as a new key is: a session that signed in more than 10 minutes ago sends the password (`currentPassword`), or the answer is 400 current_password_required. The body may be left out otherwise. One old secret per key at a time: a key whose predecessor still works answers 409 roll_pending until that one is revoked or its grace ends.
         */
        post: operations["accounts.rollKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api/{product}/{proxy}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A metered call to a product: authenticated, rate-limited, debited and logged
         * @description Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.
         */
        get: operations["metering.meteredCall.get"];
        /**
         * A metered call to a product: authenticated, rate-limited, debited and logged
         * @description Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.
         */
        put: operations["metering.meteredCall.put"];
        /**
         * A metered call to a product: authenticated, rate-limited, debited and logged
         * @description Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.
         */
        post: operations["metering.meteredCall.post"];
        /**
         * A metered call to a product: authenticated, rate-limited, debited and logged
         * @description Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.
         */
        delete: operations["metering.meteredCall.delete"];
        options?: never;
        head?: never;
        /**
         * A metered call to a product: authenticated, rate-limited, debited and logged
         * @description Send the key as `Authorization: Bearer omn_live_…` or `x-api-key`. Every answer carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Credits-Remaining and X-Request-Id. 502 and 504 are not charged.
         */
        patch: operations["metering.meteredCall.patch"];
        trace?: never;
    };
    "/v1/demo/echo/{proxy}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The demo upstream product behind `echo`: answers with what it received; stores nothing */
        get: operations["metering.echo.get"];
        /** The demo upstream product behind `echo`: answers with what it received; stores nothing */
        put: operations["metering.echo.put"];
        /** The demo upstream product behind `echo`: answers with what it received; stores nothing */
        post: operations["metering.echo.post"];
        /** The demo upstream product behind `echo`: answers with what it received; stores nothing */
        delete: operations["metering.echo.delete"];
        options?: never;
        head?: never;
        /** The demo upstream product behind `echo`: answers with what it received; stores nothing */
        patch: operations["metering.echo.patch"];
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's usage in hour or day buckets (arrives a few seconds after each call) */
        get: operations["metering.usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's call logs of the retention period (90 days unless the stage sets usageLogRetentionDays), newest first, a page at a time */
        get: operations["metering.logs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/balance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's credit balance (reflects calls at once: debits are synchronous) */
        get: operations["billing.balance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's grants, purchases, refunds, clawbacks, holds and releases, newest first, a page at a time
         * @description Usage charges are not ledger lines: they are in /v1/usage. Balance = Σ ledger − Σ charged usage.
         */
        get: operations["billing.ledger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/packs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The credit packs for sale, with their prices */
        get: operations["billing.packs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalogue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What we sell: products and their price per call, plans and their rate limits, credit packs */
        get: operations["billing.catalogue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/checkout/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How one of the caller's checkouts ended, from Stripe: pending, paid (and whether credited) or expired
         * @description The console's pages /credits/checkout/done and /credits/checkout/cancelled ask this with the session_id Stripe returns; another account's session is 404.
         */
        get: operations["billing.checkoutStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/checkout/{sessionId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End one of the caller's open checkouts at Stripe, so it can no longer be paid (the console's cancelled page) */
        post: operations["billing.cancelCheckout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start buying a credit pack: answers a Stripe Checkout URL (a few an hour per account) */
        post: operations["billing.checkout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A Stripe Customer Portal link for invoices and payment methods */
        get: operations["billing.portal"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/stripe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe events: purchases, refunds (and refunds that fail), disputes, deleted customers. Verified on the raw body; each event applied once */
        post: operations["billing.stripeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privacy/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's privacy requests, newest first */
        get: operations["privacy.list"];
        put?: never;
        /**
         * Exercise a privacy right (access, portability, deletion, correction, objection); the session is the identity
         * @description A second request of a type while one is open joins it: the answer is the open request, with joined: true. A correction joins only an open correction in the same words; one in other words is a request of its own. Asked while another request of the type is being opened (the same moment), it waits for that one and joins it; 409 privacy_request_opening if it does not appear within a few seconds (ask again).
         */
        post: operations["privacy.open"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privacy/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One request: status, history, due date and, when ready, a download link */
        get: operations["privacy.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privacy/requests/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The mailed download link: redirects to the archive (the link works 24 hours) */
        get: operations["privacy.download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privacy/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The mailed confirmation link: shows what confirming will do (a GET alone confirms nothing) */
        get: operations["privacy.confirmPage"];
        put?: never;
        /** Confirms the request the link belongs to (single use); the form of the confirmation page posts here */
        post: operations["privacy.confirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privacy/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The cancel link of a deletion in its cooling-off: shows what cancelling does (a GET alone cancels nothing) */
        get: operations["privacy.cancelPage"];
        put?: never;
        /** Cancels the deletion the link belongs to, while its cooling-off lasts; nothing is erased */
        post: operations["privacy.cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notices/unsubscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The List-Unsubscribe URL of an optional notice topic: what unsubscribing stops and a button (a GET alone changes nothing; mail scanners prefetch links). The mail's text links to the console's /notices/unsubscribe page, which reads this as JSON */
        get: operations["notices.unsubscribePage"];
        put?: never;
        /** Unsubscribes the link's account from its topic at once, with no session or cookie: the one-click POST of RFC 8058 (List-Unsubscribe-Post) and the pages' button. A link expires 90 days after its notice (410 link_expired); an altered one is 404 link_invalid */
        post: operations["notices.unsubscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Profile: {
            company?: string;
            /** Format: uri */
            website?: string;
            country?: string;
            bio?: string;
        };
        ProfilePatch: {
            company?: string | null;
            website?: string | null;
            country?: string | null;
            bio?: string | null;
        };
        Preferences: {
            /** @description Product-update mail, the `product` notice topic (off unless chosen; marketing: an objection to direct marketing turns it off) */
            productUpdates: boolean;
            /** @description The deprecation digest, the `deprecation` notice topic (on unless turned off). Security, billing and service notices cannot be turned off */
            deprecationNotices?: boolean;
            /** @description Usage analytics beyond billing (on unless objected to) */
            analytics: boolean;
            /** @description Mail me once when my balance falls below this many credits; null turns it off */
            lowBalanceCredits?: string | null;
            /** @description The language of privacy mails and pages answering my requests (BCP 47, e.g. de); languages we do not write get English */
            locale?: string;
        };
        Error: {
            error: {
                /**
                 * @description Stable, snake_case code to branch on
                 * @example validation_failed
                 */
                code: string;
                /** @description What went wrong, for people */
                message: string;
                /** @description One entry per invalid field */
                details?: {
                    path: string;
                    message: string;
                }[];
            };
        };
        Account: {
            accountId: string;
            email: string;
            name: string;
            profile: components["schemas"]["Profile"];
            preferences: components["schemas"]["Preferences"];
            emailVerified: boolean;
            plan: string;
            /** @enum {string} */
            status?: "active" | "suspended";
            stripeCustomerId?: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description Set when a new address awaits confirmation */
            pendingEmail?: string;
        };
        AuditEvent: {
            eventId: string;
            seq: number;
            action: string;
            actor: {
                /** @enum {string} */
                type: "account" | "operator" | "system";
                id: string;
                via?: string;
            };
            targets: {
                type: string;
                id: string;
            }[];
            context?: {
                ip?: string;
                userAgent?: string;
                requestId?: string;
            };
            reason?: string;
            /** @description What changed, when small: before → after */
            change?: {
                before?: unknown;
                after?: unknown;
            };
            /** Format: date-time */
            at: string;
            prevHash: string;
            hash: string;
        } & {
            [key: string]: unknown;
        };
        ApiKey: {
            keyId: string;
            prefix: string;
            name: string;
            plan: string;
            /** @enum {string} */
            status: "active" | "rolling" | "revoked";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            graceUntil?: string;
            /** Format: date-time */
            revokedAt?: string;
            replacedBy?: string;
            /**
             * Format: date-time
             * @description The newest call made with the key within the 90 days of call logs
             */
            lastUsedAt?: string;
            /** @description The address that call came from */
            lastUsedIp?: string;
        };
        UsageLog: {
            requestId: string;
            keyId: string;
            product: string;
            method: string;
            /** @description The call's path below the product, as sent (decoded), its first 1,024 characters; the query is not kept */
            path: string;
            status: number;
            /** @enum {string} */
            outcome: "ok" | "refunded" | "rejected";
            priceMicroCredits: number;
            latencyMs: number;
            upstreamLatencyMs?: number;
            requestBytes: number;
            responseBytes: number;
            ip: string;
            userAgent: string;
            /** Format: date-time */
            at: string;
        };
        Dispute: {
            disputeId: string;
            /** @description The disputed payment */
            paymentIntentId: string;
            pack: string;
            /**
             * @description open: the payment's disputed share of credits is held; won: released; lost: taken back for good
             * @enum {string}
             */
            status: "open" | "won" | "lost";
            /** @description The amount disputed, in the payment currency's minor unit as Stripe counts it */
            amountMinor: number;
            currency: string;
            /** Format: date-time */
            paidAt: string;
        };
        LedgerEntry: {
            entryId: string;
            /** @enum {string} */
            type: "grant" | "purchase" | "refund" | "clawback" | "hold" | "release" | "adjustment";
            amountMicro: number;
            /** @description Credits, exact decimal; negative takes credit away */
            amount: string;
            reason: string;
            /** @description Stripe object, request id or operator reference it answers to */
            ref?: string;
            pack?: string;
            stripe?: {
                customerId?: string;
                checkoutSessionId?: string;
                paymentIntentId?: string;
                chargeId?: string;
                disputeId?: string;
                /** @description The Stripe refund, for a refund reported on its own (one that failed gives its credits back) */
                refundId?: string;
                eventId?: string;
                amountMinor?: number;
                currency?: string;
            };
            /** Format: date-time */
            at: string;
        };
        CreditPack: {
            id: string;
            name: string;
            credits: number;
            /** @description In the smallest unit of the currency, e.g. cents */
            priceMinor: number;
            currency: string;
        };
        Catalogue: {
            products: {
                id: string;
                /** @description Credits per call, exact decimal */
                pricePerCall: string;
                priceMicroCredits: number;
            }[];
            plans: {
                id: string;
                requestsPerMinute: number;
            }[];
            packs: components["schemas"]["CreditPack"][];
        };
        CheckoutStatus: {
            sessionId: string;
            /**
             * @description pending: can still be paid, or a delayed payment is on its way; paid; cancelled: ended by the buyer, nothing charged; expired: lapsed unpaid
             * @enum {string}
             */
            status: "pending" | "paid" | "cancelled" | "expired";
            pack: string | null;
            packName: string | null;
            amountMinor: number | null;
            currency: string | null;
            /** @description The credits are on the balance (the webhook may land a moment after the buyer returns) */
            credited: boolean;
            /** @description Credits the purchase adds, once paid */
            credits: string | null;
        };
        PrivacyRequest: {
            requestId: string;
            /** @enum {string} */
            type: "access" | "portability" | "deletion" | "correction" | "objection";
            /** @enum {string} */
            status: "received" | "awaiting_confirmation" | "confirmed" | "in_progress" | "needs_manual_action" | "completed" | "failed" | "expired" | "cancelled";
            /** @enum {string} */
            channel: "mail" | "api";
            accountId: string;
            email: string;
            details?: string;
            /** Format: date-time */
            receivedAt: string;
            /**
             * Format: date-time
             * @description The legal deadline (one month)
             */
            dueAt: string;
            history: {
                /** @enum {string} */
                status: "received" | "awaiting_confirmation" | "confirmed" | "in_progress" | "needs_manual_action" | "completed" | "failed" | "expired" | "cancelled";
                /** Format: date-time */
                at: string;
                note?: string;
            }[];
            /** Format: date-time */
            confirmationExpiresAt?: string;
            /**
             * Format: date-time
             * @description A deletion in its cooling-off: when erasure starts; until then the cancel link mailed to the registered address stops it
             */
            erasureStartsAt?: string;
            /** @description The requests one letter opened when it asked for several rights: one mailed link confirms them all */
            letter?: {
                requestIds: string[];
            };
            export?: {
                bytes: number;
                files: {
                    [key: string]: number;
                };
                /** Format: date-time */
                expiresAt: string;
                /** Format: date-time */
                linkExpiresAt?: string;
            };
            /**
             * Format: uri
             * @description A download URL valid 5 minutes, while the archive exists
             */
            download?: string;
        };
        PrivacyLinkPage: {
            request: {
                requestId: string;
                /** @enum {string} */
                type: "access" | "portability" | "deletion" | "correction" | "objection";
                /** @enum {string} */
                status: "received" | "awaiting_confirmation" | "confirmed" | "in_progress" | "needs_manual_action" | "completed" | "failed" | "expired" | "cancelled";
                /** Format: date-time */
                receivedAt: string;
                /**
                 * Format: date-time
                 * @description The legal deadline to answer by
                 */
                dueAt: string;
                /**
                 * Format: date-time
                 * @description A deletion in its cooling-off: when erasure starts
                 */
                erasureStartsAt?: string;
            };
            /** @description The language of the texts (the request's; BCP 47) */
            locale: string;
            texts: {
                title: string;
                paragraphs: string[];
                /** @description The label of the action, when there is one to take */
                button?: string;
                /** @description The page's field labels: the request's due date and, for a deletion, when erasure starts */
                labels: {
                    dueBy: string;
                    erasureStarts: string;
                };
            };
            deletion?: {
                /** @description Paid credits still on the account, lost with it (decimal string) */
                paidCredits: string;
                /** @description How long the deletion waits, cancellable, once confirmed */
                coolingOffHours: number;
            };
        };
        UnsubscribeLink: {
            /** @enum {string} */
            topic: "deprecation" | "product";
            /** @description The topic's name, e.g. Product updates */
            name: string;
            /** @description Whether the topic still reaches the account (false once the link was used) */
            subscribed: boolean;
            /** @description On the POST: whether this call switched the topic off (false: it was off already) */
            changed?: boolean;
            /** @description The mandatory topics, which keep coming whatever the preferences */
            continues: {
                /** @enum {string} */
                topic: "security" | "billing" | "service" | "deprecation" | "product";
                name: string;
            }[];
            /**
             * Format: date-time
             * @description When the link stops working
             */
            expiresAt: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "platform.health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                        stage: string;
                        time: string;
                        startedAt: string;
                    };
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "platform.openapi": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /**
                     * Format: idn-email
                     * @description An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @
                     */
                    email: string;
                    /** @description At most 128 characters as hashed (NFKC); a new one that is longer is refused as weak_password */
                    password: string;
                    profile?: components["schemas"]["Profile"];
                };
            };
        };
        responses: {
            /** @description Verification link mailed */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "verification_sent";
                        message: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.verify": {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Confirmed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "verified" | "email_changed" | "sign_in_unlocked";
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.resendVerification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: idn-email
                     * @description An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @
                     */
                    email: string;
                };
            };
        };
        responses: {
            /** @description A link is mailed if the address has an unverified account */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "accepted";
                        message: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.requestPasswordReset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: idn-email
                     * @description An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @
                     */
                    email: string;
                };
            };
        };
        responses: {
            /** @description A link is mailed if the address has an account */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "accepted";
                        message: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.confirmPasswordReset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The token of the mailed link */
                    token: string;
                    /** @description At most 128 characters as hashed (NFKC); a new one that is longer is refused as weak_password */
                    password: string;
                };
            };
        };
        responses: {
            /** @description The password is set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "password_reset";
                        sessionsRevoked: number;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: idn-email
                     * @description An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @
                     */
                    email: string;
                    /** @description At most 128 characters as hashed (NFKC); a new one that is longer is refused as weak_password */
                    password: string;
                };
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        token: string;
                        sessionId: string;
                        accountId: string;
                        /** Format: date-time */
                        expiresAt: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.getAccount": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Account"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.updateAccount": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    /**
                     * Format: idn-email
                     * @description An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @
                     */
                    email?: string;
                    /** @description Fields to set; null removes a field, and one left out is kept */
                    profile?: components["schemas"]["ProfilePatch"];
                    /** @description Required with a new email */
                    currentPassword?: string;
                };
            };
        };
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Account"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.changePassword": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 128 characters as hashed (NFKC); a new one that is longer is refused as weak_password */
                    currentPassword: string;
                    /** @description At most 128 characters as hashed (NFKC); a new one that is longer is refused as weak_password */
                    newPassword: string;
                };
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.getPreferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Preferences */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.setPreferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Preferences"];
            };
        };
        responses: {
            /** @description Preferences */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.listSessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sessions, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: {
                            sessionId: string;
                            accountId: string;
                            ip: string;
                            userAgent: string;
                            /** Format: date-time */
                            createdAt: string;
                            expiresAt: number;
                            current: boolean;
                        }[];
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.revokeOtherSessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many sessions were signed out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessionsRevoked: number;
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.revokeSession": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.auditEvents": {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
                /** @description One action (key.roll) or a kind of action (key: every key.* action) */
                action?: "account.update" | "preferences.set" | "password.change" | "password.reset" | "email.verify" | "email.change" | "sign_in.unlock" | "session.revoke" | "session.end" | "key.create" | "key.roll" | "key.revoke" | "checkout.start" | "checkout.cancel" | "privacy.request" | "privacy.confirm" | "privacy.cancel" | "credits.grant" | "credits.adjust" | "plan.set" | "account.suspend" | "account.unsuspend" | "legal_hold.set" | "legal_hold.clear" | "privacy.extend" | "privacy.start_now" | "privacy.retry" | "privacy.erase" | "privacy.classify" | "stripe.event_sent" | "usage.replay" | "usage.retention" | "ticket.reply" | "ticket.close" | "notice.send" | "notice.resume" | "notice.unsubscribe" | "account" | "preferences" | "password" | "email" | "sign_in" | "session" | "key" | "checkout" | "privacy" | "credits" | "plan" | "legal_hold" | "stripe" | "usage" | "ticket" | "notice";
                /** @description Who acted: the holder (by session, key or mailed link), an OmnAPI operator, or the platform itself */
                actor?: "account" | "operator" | "system";
                /** @description No event before this time */
                from?: string;
                /** @description No event after this time */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["AuditEvent"][];
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.securityEvents": {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            eventId: string;
                            accountId: string;
                            type: string;
                            ip: string;
                            userAgent: string;
                            /** Format: date-time */
                            at: string;
                            detail?: {
                                [key: string]: string;
                            };
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.listKeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: components["schemas"]["ApiKey"][];
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.createKey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @description Required when the session signed in more than 10 minutes ago */
                    currentPassword?: string;
                };
            };
        };
        responses: {
            /** @description The key and its secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keyId: string;
                        prefix: string;
                        name: string;
                        plan: string;
                        /** @enum {string} */
                        status: "active" | "rolling" | "revoked";
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        graceUntil?: string;
                        /** Format: date-time */
                        revokedAt?: string;
                        replacedBy?: string;
                        /**
                         * Format: date-time
                         * @description The newest call made with the key within the 90 days of call logs
                         */
                        lastUsedAt?: string;
                        /** @description The address that call came from */
                        lastUsedIp?: string;
                        secret: string;
                        notice: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.revokeKey": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "accounts.rollKey": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Required when the session signed in more than 10 minutes ago */
                    currentPassword?: string;
                };
            };
        };
        responses: {
            /** @description The new key and its secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keyId: string;
                        prefix: string;
                        name: string;
                        plan: string;
                        /** @enum {string} */
                        status: "active" | "rolling" | "revoked";
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        graceUntil?: string;
                        /** Format: date-time */
                        revokedAt?: string;
                        replacedBy?: string;
                        /**
                         * Format: date-time
                         * @description The newest call made with the key within the 90 days of call logs
                         */
                        lastUsedAt?: string;
                        /** @description The address that call came from */
                        lastUsedIp?: string;
                        secret: string;
                        previous: {
                            keyId: string;
                            graceUntil: string;
                        };
                        graceSeconds: number;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.meteredCall.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                product: string;
                proxy: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description The product's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not enough credit */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.meteredCall.put": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                product: string;
                proxy: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description The product's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not enough credit */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.meteredCall.post": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                product: string;
                proxy: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description The product's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not enough credit */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.meteredCall.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                product: string;
                proxy: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description The product's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not enough credit */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.meteredCall.patch": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                product: string;
                proxy: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description The product's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not enough credit */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.echo.get": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Method, path, query and body as received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.echo.put": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Method, path, query and body as received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.echo.post": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Method, path, query and body as received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.echo.delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Method, path, query and body as received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.echo.patch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "*/*": unknown;
            };
        };
        responses: {
            /** @description Method, path, query and body as received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.usage": {
        parameters: {
            query?: {
                /** @description Start of the range; default 30 days before `to` */
                from?: string;
                /** @description End of the range; default now. Buckets are whole: the hour holding it is counted to its end */
                to?: string;
                granularity?: "hour" | "day";
                product?: string;
                /** @description Only this key's calls (buckets per key, from the call logs) */
                key?: string;
                /** @description `key`: buckets per key and product, counted from the call logs (last 90 days), refusals split into 402 and 429 */
                groupBy?: "product" | "key";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Buckets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        from: string;
                        /** Format: date-time */
                        to: string;
                        /** @enum {string} */
                        granularity: "hour" | "day";
                        /** @enum {string} */
                        groupBy: "product" | "key";
                        /** @description Per product; per key and product (with keyId, counted from the call logs) when grouped by key or filtered to one key */
                        buckets: ({
                            /** Format: date-time */
                            bucket: string;
                            product: string;
                            calls: number;
                            admitted: number;
                            rejected: number;
                            /** @description Refused with 402: out of credit (per product: 0 for hours counted before the split was kept) */
                            rejectedNoCredit: number;
                            /** @description Refused with 429: over the rate limit (per product: 0 for hours counted before the split was kept) */
                            rejectedRateLimited: number;
                            errors: number;
                            chargedMicro: number;
                            refundedMicro: number;
                            /** @description Credits charged, exact decimal */
                            charged: string;
                            refunded: string;
                            avgLatencyMs: number;
                            bytesIn: number;
                            bytesOut: number;
                            keyId: string;
                        } | {
                            /** Format: date-time */
                            bucket: string;
                            product: string;
                            calls: number;
                            admitted: number;
                            rejected: number;
                            /** @description Refused with 402: out of credit (per product: 0 for hours counted before the split was kept) */
                            rejectedNoCredit: number;
                            /** @description Refused with 429: over the rate limit (per product: 0 for hours counted before the split was kept) */
                            rejectedRateLimited: number;
                            errors: number;
                            chargedMicro: number;
                            refundedMicro: number;
                            /** @description Credits charged, exact decimal */
                            charged: string;
                            refunded: string;
                            avgLatencyMs: number;
                            bytesIn: number;
                            bytesOut: number;
                        })[];
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "metering.logs": {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextCursor of the previous page of the same query (bound to the account and the filters) */
                cursor?: string;
                /** @description Only calls made with this key */
                key?: string;
                /** @description A class of answers (2xx, 4xx, 5xx) or one refusal: 402 (out of credit) or 429 (rate limited) */
                status?: "402" | "429" | "2xx" | "4xx" | "5xx";
                product?: string;
                /** @description Only calls whose path (below the product) starts with this */
                pathPrefix?: string;
                /** @description No call before this time */
                from?: string;
                /** @description No call after this time */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of logs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        logs: components["schemas"]["UsageLog"][];
                        /** @description Present while older calls may match. A page reads a bounded part of the logs, so with a filter that matches little it can hold fewer than `limit` calls, or none, and still have a nextCursor: follow it to search on. */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.balance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The balance */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description May be negative after a refund or dispute of credits already spent */
                        balanceMicro: number;
                        /** @description The same, as an exact decimal */
                        credits: string;
                        /** @description Credits held while disputes are open (not in the balance) */
                        heldMicro: number;
                        /** @description Every dispute of the account's payments, newest payment first */
                        disputes: components["schemas"]["Dispute"][];
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.ledger": {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entries: components["schemas"]["LedgerEntry"][];
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.packs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Packs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        packs: components["schemas"]["CreditPack"][];
                        checkout: string;
                    };
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.catalogue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The catalogue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Catalogue"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.checkoutStatus": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sessionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The checkout */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckoutStatus"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.cancelCheckout": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sessionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The checkout, now cancelled (or how it had already ended) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckoutStatus"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    pack: string;
                };
            };
        };
        responses: {
            /** @description The Checkout Session */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /**
                         * Format: uri
                         * @description Send the buyer here: Stripe Checkout
                         */
                        url: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The portal link */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: uri
                         * @description Stripe Customer Portal: invoices and payment methods
                         */
                        url: string;
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "billing.stripeWebhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Received (also for duplicates, event types we ignore and events of the other Stripe mode) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        received: true;
                        outcome: string;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Requests */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        requests: components["schemas"]["PrivacyRequest"][];
                    };
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.open": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    type: "access" | "portability" | "deletion" | "correction" | "objection";
                    /** @description What you want corrected, or anything we should know */
                    details?: string;
                    /** @description Deletion only: the account's password confirms it at once; without it, a link is mailed to the registered address */
                    password?: string;
                };
            };
        };
        responses: {
            /** @description The request (or the open one it joined) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        requestId: string;
                        /** @enum {string} */
                        type: "access" | "portability" | "deletion" | "correction" | "objection";
                        /** @enum {string} */
                        status: "received" | "awaiting_confirmation" | "confirmed" | "in_progress" | "needs_manual_action" | "completed" | "failed" | "expired" | "cancelled";
                        /** @enum {string} */
                        channel: "mail" | "api";
                        accountId: string;
                        email: string;
                        details?: string;
                        /** Format: date-time */
                        receivedAt: string;
                        /**
                         * Format: date-time
                         * @description The legal deadline (one month)
                         */
                        dueAt: string;
                        history: {
                            /** @enum {string} */
                            status: "received" | "awaiting_confirmation" | "confirmed" | "in_progress" | "needs_manual_action" | "completed" | "failed" | "expired" | "cancelled";
                            /** Format: date-time */
                            at: string;
                            note?: string;
                        }[];
                        /** Format: date-time */
                        confirmationExpiresAt?: string;
                        /**
                         * Format: date-time
                         * @description A deletion in its cooling-off: when erasure starts; until then the cancel link mailed to the registered address stops it
                         */
                        erasureStartsAt?: string;
                        /** @description The requests one letter opened when it asked for several rights: one mailed link confirms them all */
                        letter?: {
                            requestIds: string[];
                        };
                        export?: {
                            bytes: number;
                            files: {
                                [key: string]: number;
                            };
                            /** Format: date-time */
                            expiresAt: string;
                            /** Format: date-time */
                            linkExpiresAt?: string;
                        };
                        /**
                         * Format: uri
                         * @description A download URL valid 5 minutes, while the archive exists
                         */
                        download?: string;
                        /** @description True when a request of this type (a correction: in the same words) was already open: this is that one */
                        joined: boolean;
                    };
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body is not JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivacyRequest"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in, or the key is unknown */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.download": {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To a short-lived URL of the archive */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.confirmPage": {
        parameters: {
            query: {
                request: string;
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What will happen (for a deletion: the paid credits lost and the cooling-off), and a button to confirm */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["PrivacyLinkPage"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/x-www-form-urlencoded": unknown;
            };
        };
        responses: {
            /** @description Confirmed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["PrivacyLinkPage"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.cancelPage": {
        parameters: {
            query: {
                request: string;
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request, and a button to cancel it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["PrivacyLinkPage"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "privacy.cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/x-www-form-urlencoded": unknown;
            };
        };
        responses: {
            /** @description Cancelled; the holder is mailed that nothing will be erased */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["PrivacyLinkPage"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "notices.unsubscribePage": {
        parameters: {
            query: {
                account: string;
                /** @description An optional notice topic; mandatory ones cannot be unsubscribed from */
                topic: "deprecation" | "product";
                /** @description When the link stops working (Unix seconds): 90 days after its notice was sent */
                exp: number;
                sig: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What unsubscribing stops, and a button */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["UnsubscribeLink"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "notices.unsubscribe": {
        parameters: {
            query: {
                account: string;
                /** @description An optional notice topic; mandatory ones cannot be unsubscribed from */
                topic: "deprecation" | "product";
                /** @description When the link stops working (Unix seconds): 90 days after its notice was sent */
                exp: number;
                sig: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/x-www-form-urlencoded": unknown;
            };
        };
        responses: {
            /** @description Unsubscribed (or already off: a second click changes nothing) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["UnsubscribeLink"];
                };
            };
            /** @description Invalid input: the field is named in details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource (or not the caller's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Used or expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Our fault; logged, never with internals */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
