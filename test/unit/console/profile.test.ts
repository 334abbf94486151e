import { profileFromForm } from '../../../console/src/profile';

describe('the profile form', () => {
  it('sends a country typed in small letters in capitals, as the API takes it', () => {
    expect(profileFromForm({ company: '', website: '', country: 'is' }).country).toBe('IS');
    expect(profileFromForm({ company: '', website: '', country: ' fr ' }).country).toBe('FR');
  });

  it('sends a website typed without its scheme with https://, and one with a scheme as typed', () => {
    expect(profileFromForm({ company: '', website: 'walker.example', country: '' }).website).toBe('https://walker.example');
    expect(profileFromForm({ company: '', website: 'http://walker.example/a', country: '' }).website).toBe('http://walker.example/a');
    expect(profileFromForm({ company: '', website: 'HTTPS://Walker.example', country: '' }).website).toBe('HTTPS://Walker.example');
  });

  it('removes what was emptied (null in the patch) and trims the rest', () => {
    expect(profileFromForm({ company: '  Walker Ltd ', website: ' ', country: '' })).toEqual({
      company: 'Walker Ltd',
      website: null,
      country: null,
    });
  });
});
