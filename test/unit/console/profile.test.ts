import { profileFromForm } from '../../../console/src/profile';

describe('the profile form', () => {
  it('sends a country typed in small letters in capitals, as the API takes it', () => {
    expect(profileFromForm({ company: '', website: '', country: 'is' })).toEqual({ country: 'IS' });
    expect(profileFromForm({ company: '', website: '', country: ' fr ' })).toEqual({ country: 'FR' });
  });

  it('sends a website typed without its scheme with https://, and one with a scheme as typed', () => {
    expect(profileFromForm({ company: '', website: 'walker.example', country: '' })).toEqual({ website: 'https://walker.example' });
    expect(profileFromForm({ company: '', website: 'http://walker.example/a', country: '' })).toEqual({
      website: 'http://walker.example/a',
    });
    expect(profileFromForm({ company: '', website: 'HTTPS://Walker.example', country: '' })).toEqual({ website: 'HTTPS://Walker.example' });
  });

  it('leaves out what was left empty and trims the rest', () => {
    expect(profileFromForm({ company: '  Walker Ltd ', website: ' ', country: '' })).toEqual({ company: 'Walker Ltd' });
  });
});
