/**
 * The privacy functions that import the classifier (requests, confirm, mail-intake, workflow) load it at every cold start,
 * most of them to read no letter at all: its vocabularies are checked and its patterns built at the first letter read, not
 * when the module loads.
 */
const VOCABULARY = '../../../lambdas/privacy/vocabulary';
const SCHEMA = '../../../lambdas/privacy/vocabulary/schema';
const TEXT = '../../../lambdas/privacy/domain/text';
const CLASSIFY = '../../../lambdas/privacy/domain/classify';

type Classify = typeof import('../../../lambdas/privacy/domain/classify');

/** The classifier and the modules that read letters, loaded afresh, with the vocabulary checks and the pattern builder counted. */
function loadCounted() {
  const schema = jest.requireActual(SCHEMA);
  const text = jest.requireActual(TEXT);
  const checks = jest.fn((data: unknown) => schema.VocabularySchema.safeParse(data));
  const patterns = jest.fn((phrase: string) => text.phrasePattern(phrase));
  let classify: Classify | undefined;
  jest.isolateModules(() => {
    jest.doMock(SCHEMA, () => ({ ...schema, VocabularySchema: { safeParse: checks } }));
    jest.doMock(TEXT, () => ({ ...text, phrasePattern: patterns }));
    classify = require(CLASSIFY);
    require('../../../lambdas/privacy/domain/correction');
    require('../../../lambdas/privacy/domain/objection');
  });
  return { classify: classify!, checks, patterns };
}

describe("the classifier's cold start", () => {
  afterEach(() => {
    jest.dontMock(SCHEMA);
    jest.dontMock(TEXT);
  });

  it('importing the classifier, the correction and the objection readers checks no vocabulary and builds no pattern', () => {
    const { checks, patterns } = loadCounted();
    expect(checks).not.toHaveBeenCalled();
    expect(patterns).not.toHaveBeenCalled();
  });

  it('the first letter read checks every vocabulary once and builds only the patterns of the words it holds; later letters check none again', () => {
    const vocabularies = jest.requireActual(VOCABULARY).vocabularies().length;
    const { classify, checks, patterns } = loadCounted();

    expect(classify.readMail('Erasure', 'Please delete my account and all my personal data.').rights).toEqual(['deletion']);
    expect(checks).toHaveBeenCalledTimes(vocabularies);
    const first = patterns.mock.calls.length;
    // The patterns of phrases whose first word the letter holds ("my", "data", "please" open hundreds in many languages), not
    // the 6,800 phrases of 44 languages the module built when it loaded.
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(700);

    expect(classify.readMail('Erasure', 'Please delete my account and all my personal data.').rights).toEqual(['deletion']);
    expect(checks).toHaveBeenCalledTimes(vocabularies);
    expect(patterns.mock.calls.length).toBe(first);
  });

  it('refuses a malformed vocabulary at the first letter read, naming the file and the field', () => {
    const german = jest.requireActual(`${VOCABULARY}/de.json`);
    let classify: Classify | undefined;
    jest.isolateModules(() => {
      jest.doMock(`${VOCABULARY}/de.json`, () => ({ ...german, stopWords: ['und'] }));
      classify = require(CLASSIFY);
    });
    expect(() => classify!.readMail('Löschung', 'Bitte löschen Sie mein Konto.')).toThrow(/vocabulary\/de\.json: stopWords: /);
    jest.dontMock(`${VOCABULARY}/de.json`);
  });
});
