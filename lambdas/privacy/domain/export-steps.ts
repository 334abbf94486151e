import { consoleUrl } from '../../shared/console-links';
import { randomSecret, sha256 } from '../../shared/crypto';
import { sendOnce } from '../../shared/mailer';
import { privacyLinks } from './links';
import { LinkGoneError, LinkInvalidError, RequestStateError } from '../errors';

import { type ArchiveSink, buildExport, type SubjectData } from './export';
import { ARCHIVE_DAYS, DOWNLOAD_LINK_HOURS, type PrivacyRequest } from './model';
import type { RequestStore } from './ports';
import { type RecordDeps, RequestRecords, requestMail } from './request-records';

/** What building an export needs: the subject's data and somewhere to write the archive. */
export interface ExportDeps {
  data: SubjectData;
  sink(key: string): ArchiveSink;
}

/** A download URL for an archive, valid `seconds`, that saves it as `fileName`. */
export type Presign = (key: string, seconds: number, fileName: string) => Promise<string>;

/** What the browser saves the archive as: the service, the right and the day it was asked, not the store's random key. */
export const archiveFileName = (request: Pick<PrivacyRequest, 'type' | 'receivedAt'>): string =>
  `omnapi-${request.type === 'portability' ? 'portable-data' : 'data'}-${request.receivedAt.slice(0, 10)}.zip`;

/** A download link or page redirects to a URL valid this long. */
const PRESIGNED_SECONDS = 300;

const HOUR = 3_600_000;

/** Access and portability, as the workflow runs them: the archive is built, then its link mailed and the request closed. */
export class ExportSteps extends RequestRecords<RecordDeps & { exports: ExportDeps }> {
  /** Access and portability: the archive of everything the data map exports, streamed to the export bucket. */
  async export(requestId: string): Promise<{ bytes: number; files: Record<string, number> }> {
    const request = await this.require(requestId);
    if (request.export) return { bytes: request.export.bytes, files: request.export.files };
    if (request.status !== 'in_progress') throw new RequestStateError(requestId, request.status, 'export');
    const now = this.deps.now();
    const key = `exports/${requestId}/${randomSecret(12)}.zip`;
    const result = await buildExport(
      { ...request, email: await this.registeredAddress(request) },
      this.deps.exports.data,
      this.deps.exports.sink(key),
      now,
    );
    await this.update(requestId, {
      export: { key, ...result, expiresAt: new Date(now.getTime() + ARCHIVE_DAYS * 24 * HOUR).toISOString() },
    });
    return result;
  }

  /**
   * Mails the download link (to the registered address), then closes the request as completed. Issuing
   * the link's token is the mail's claim: a retry of this step that finds one issued (the mail went
   * out, or its sender stopped before SES answered) only closes the request, so the link is mailed at
   * most once; a send SES refused takes the token back, so the retry mails a link.
   */
  async deliverExport(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'completed') return;
    const archive = request.export;
    if (!archive) throw new RequestStateError(requestId, request.status, 'deliver');
    if (!archive.downloadTokenHash) {
      const token = randomSecret();
      const linkExpires = new Date(this.deps.now().getTime() + DOWNLOAD_LINK_HOURS * HOUR);
      const issued = { ...archive, downloadTokenHash: sha256(token), linkExpiresAt: linkExpires.toISOString() };
      const claim = {
        take: async () => Boolean(await this.update(requestId, { export: issued })),
        giveBack: async () => void (await this.update(requestId, { export: archive })),
      };
      // The request's console page: with the token it downloads without signing in, as the link always did.
      const link = consoleUrl(this.deps.publicUrl, `privacyRequest:${requestId}`, { token });
      await sendOnce(this.deps.mailer, claim, {
        to: await this.registeredAddress(request),
        ...requestMail(request, (m) => ({
          subject: m.t('export.subject', { requestId }),
          paragraphs: [
            m.t('export.ready', { portable: request.type === 'portability' ? 'yes' : 'no', kib: Math.ceil(archive.bytes / 1024) }),
            '',
            link,
            '',
            m.t('export.until', { hours: DOWNLOAD_LINK_HOURS, expires: linkExpires, days: ARCHIVE_DAYS }),
            m.t('export.signedIn', privacyLinks(this.deps.publicUrl, requestId)),
          ],
        })),
      });
    }
    await this.close(requestId, 'completed', 'archive delivered to the registered address', ['in_progress']);
  }
}

/** The archive's downloads: by the mailed link's token, or for the signed-in holder. */
export class Downloads {
  constructor(private readonly deps: { requests: RequestStore; presign: Presign; now: () => Date }) {}

  /** The mailed download link: checks its token, then hands out a URL valid a few minutes. */
  async downloadByLink(requestId: string, token: string): Promise<string> {
    const request = await this.deps.requests.get(requestId);
    if (!request?.export?.downloadTokenHash || request.export.downloadTokenHash !== sha256(token)) throw new LinkInvalidError();
    if ((request.export.linkExpiresAt ?? '') <= this.deps.now().toISOString()) throw new LinkGoneError('expired');
    return this.deps.presign(request.export.key, PRESIGNED_SECONDS, archiveFileName(request));
  }

  /** A fresh download URL for the signed-in holder, while the archive exists. */
  async downloadUrl(request: PrivacyRequest): Promise<string | undefined> {
    if (!request.export || request.export.erasedAt) return undefined;
    if (request.export.expiresAt <= this.deps.now().toISOString()) return undefined;
    return this.deps.presign(request.export.key, PRESIGNED_SECONDS, archiveFileName(request));
  }
}
