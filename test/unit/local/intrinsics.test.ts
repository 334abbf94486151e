import { IntrinsicResolver } from '../../../local/intrinsics';

const resolver = new IntrinsicResolver(
  new Map([
    ['Table', { ref: 'accounts', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/accounts' } }],
    ['Fn', { ref: 'Fn', attributes: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn' } }],
  ]),
);

describe('IntrinsicResolver', () => {
  it('resolves Ref, GetAtt, Join, Sub, Select and Split, nested', () => {
    expect(
      resolver.resolve({
        name: { Ref: 'Table' },
        arn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        joined: { 'Fn::Join': ['', ['table/', { Ref: 'Table' }, '/', { Ref: 'AWS::Region' }]] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${…} syntax, not a template literal
        sub: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${Table}:${Fn.Arn}' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${…} syntax, not a template literal
        subVars: { 'Fn::Sub': ['${A}-${B}', { A: 'a', B: { Ref: 'Table' } }] },
        selected: { 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] },
        list: [{ Ref: 'Table' }, 3],
      }),
    ).toEqual({
      name: 'accounts',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
      joined: 'table/accounts/us-east-1',
      sub: 'arn:aws:x:accounts:arn:aws:lambda:us-east-1:000000000000:function:Fn',
      subVars: 'a-accounts',
      selected: 'b',
      list: ['accounts', 3],
    });
  });

  it('fails loudly on what it cannot resolve', () => {
    expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow(/unknown resource Missing/);
    expect(() => resolver.resolve({ 'Fn::If': ['C', 1, 2] })).toThrow(/cannot resolve Fn::If/);
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(/no attribute StreamArn/);
  });
});
