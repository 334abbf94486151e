import { consoleUrl } from '../../shared/console-links';

/** The console pages privacy mails send people to, as the values their messages name (`{privacyUrl}` …). */
export function privacyLinks(publicUrl: string, requestId?: string): { privacyUrl: string; settingsUrl: string; requestUrl?: string } {
  return {
    privacyUrl: consoleUrl(publicUrl, 'privacy'),
    settingsUrl: consoleUrl(publicUrl, 'settings'),
    ...(requestId ? { requestUrl: consoleUrl(publicUrl, `privacyRequest:${requestId}`) } : {}),
  };
}
