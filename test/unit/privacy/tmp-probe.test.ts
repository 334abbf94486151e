import { classifyLetter } from '../../../lambdas/privacy/domain/classify';
test('x', () => {
  console.log(JSON.stringify(classifyLetter('Re: Your deletion request', "Wait - before you do anything else, what personal data do you hold about\nme? I want to see everything first. Please hold off until I've reviewed it.\n\nNina"), null, 1));
});
