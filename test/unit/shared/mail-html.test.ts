import { FSI, linkPage, PDI } from '../../../lambdas/shared/http';
import { directionOf, mailHtml } from '../../../lambdas/shared/mail-html';

describe('right-to-left pages and mail', () => {
  it('marks a link page in a right-to-left language on its root and isolates its values, nested ones too', () => {
    const page = linkPage('עמוד', [`בקשה ${FSI}prq_1${PDI}: ${FSI}ל-${FSI}ann@example.org${PDI}${PDI} <b>`], { lang: 'he', dir: 'rtl' });
    expect(page).toContain('<html lang="he" dir="rtl">');
    expect(page).toContain('<bdi>prq_1</bdi>');
    expect(page).toContain('<bdi>ל-<bdi>ann@example.org</bdi></bdi> &lt;b&gt;');
    expect(linkPage('Page', ['Text'], { lang: 'de' })).toContain('<html lang="de">');
  });

  it('turns a right-to-left text mail into HTML with its direction, links and addresses isolated left to right', () => {
    const text =
      '\u200fשלום, ראו https://api.omnapi.test/x?a=1&b=2.\n\u200fכתבו אל privacy@omnapi.com\n\n\u200fמספר ' + `${FSI}tkt_1${PDI}`;
    const html = mailHtml(text, 'he');
    expect(html).toMatch(/^<!doctype html><html lang="he" dir="rtl">/);
    expect(html).toContain('<a href="https://api.omnapi.test/x?a=1&amp;b=2" dir="ltr">https://api.omnapi.test/x?a=1&amp;b=2</a>.<br>');
    expect(html).toContain('<bdi dir="ltr">privacy@omnapi.com</bdi></p><p>');
    expect(html).toContain('<bdi>tkt_1</bdi>');
    expect(html).not.toContain('\u200f');
  });

  it('knows the direction of a language by its primary subtag', () => {
    expect(['ar', 'fa-IR', 'he', 'ur'].map(directionOf)).toEqual(['rtl', 'rtl', 'rtl', 'rtl']);
    expect(['en', 'ja', 'ru', 'hi'].map(directionOf)).toEqual(['ltr', 'ltr', 'ltr', 'ltr']);
  });
});
