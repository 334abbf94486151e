import { chineseScriptOf, withScript } from '../../../lambdas/privacy/domain/han-script';

describe('the script of a Chinese text', () => {
  it.each([
    ['我想查看你们保存的关于我的数据，请发给我一份副本。', 'Hans'],
    ['我想查看你們保存的關於我的資料，請發給我一份副本。', 'Hant'],
    ['請問貴公司如何處理會員的個人資料？', 'Hant'],
    ['请问贵公司如何处理会员的个人资料？', 'Hans'],
  ] as const)('%s is %s', (text, script) => {
    expect(chineseScriptOf(text)).toBe(script);
  });

  it('reads a text of characters both scripts write alike as Simplified', () => {
    expect(chineseScriptOf('我要求取消')).toBe('Hans');
  });

  it('gives Chinese its script and leaves every other language as it is', () => {
    expect(withScript('zh', '請刪除我的帳號。')).toBe('zh-Hant');
    expect(withScript('zh', '请删除我的账号。')).toBe('zh');
    expect(withScript('ja', '私の個人情報を削除してください。')).toBe('ja');
  });
});
