import bg from './bg.json';
import ca from './ca.json';
import cs from './cs.json';
import da from './da.json';
import de from './de.json';
import el from './el.json';
import en from './en.json';
import es from './es.json';
import et from './et.json';
import fi from './fi.json';
import fr from './fr.json';
import ga from './ga.json';
import hr from './hr.json';
import hu from './hu.json';
import is from './is.json';
import it from './it.json';
import lt from './lt.json';
import lv from './lv.json';
import mt from './mt.json';
import nb from './nb.json';
import nl from './nl.json';
import nn from './nn.json';
import pl from './pl.json';
import pt from './pt.json';
import ptBR from './pt-br.json';
import ro from './ro.json';
import sk from './sk.json';
import sl from './sl.json';
import sv from './sv.json';
import ar from './ar.json';
import fa from './fa.json';
import he from './he.json';
import hi from './hi.json';
import id from './id.json';
import ja from './ja.json';
import ko from './ko.json';
import ru from './ru.json';
import th from './th.json';
import tr from './tr.json';
import uk from './uk.json';
import vi from './vi.json';
import sw from './sw.json';
import tl from './tl.json';
import zh from './zh.json';
import kin from './kin.json';
import { lazy } from '../../shared/lazy';
import { type Kin, KinSchema, type Vocabulary, VocabularySchema } from './schema';

export { type Kin, KinSchema, LETTER_RIGHTS, type LetterRight, type Vocabulary, VocabularySchema } from './schema';

const FILES: Record<string, unknown> = {
  bg,
  cs,
  da,
  de,
  el,
  en,
  es,
  // After Spanish: a short text whose words fit both alike is read as Spanish.
  ca,
  et,
  fi,
  fr,
  ga,
  hr,
  hu,
  is,
  it,
  lt,
  lv,
  mt,
  nb,
  nl,
  nn,
  pl,
  pt,
  'pt-br': ptBR,
  ro,
  sk,
  sl,
  sv,
  ar,
  fa,
  he,
  hi,
  id,
  ja,
  ko,
  ru,
  th,
  tr,
  uk,
  vi,
  zh,
  // Swahili and Tagalog have no reply catalogue: their letters are answered in English (an official language of Kenya,
  // Tanzania, Uganda and the Philippines, which their writers read), with a line naming their language.
  sw,
  tl,
};

/**
 * Every language's vocabulary, checked once, when a letter is first read (not when a function loads: most that import the
 * classifier never read one): a broken file fails that reading and every privacy test, naming the file and field.
 */
export const vocabularies = lazy((): readonly Vocabulary[] =>
  Object.entries(FILES).map(([file, data]) => {
    const parsed = VocabularySchema.safeParse(data);
    if (!parsed.success)
      throw new Error(`vocabulary/${file}.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }),
);

/** The languages we read through a neighbour's vocabulary and answer in a language their writers read (`kin.json`), checked at first use. */
export const kinLanguages = lazy((): readonly Kin[] =>
  (kin as unknown[]).map((data, i) => {
    const parsed = KinSchema.safeParse(data);
    if (!parsed.success)
      throw new Error(`vocabulary/kin.json[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return parsed.data;
  }),
);
