/** A CloudFormation template, as the CDK synthesizes it. */
export interface Template {
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** What `Ref` and `Fn::GetAtt` give for one resource in the local runtime. */
export interface LocalIdentity {
  ref: string;
  attributes: Record<string, string>;
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) against
 * local physical ids. Anything else throws, so a template the local runtime cannot honour fails loudly.
 */
export class IntrinsicResolver {
  constructor(
    private readonly identities: Map<string, LocalIdentity>,
    private readonly pseudo: Record<string, string> = {
      'AWS::Region': LOCAL_REGION,
      'AWS::AccountId': LOCAL_ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'OmnApi-local',
      'AWS::NoValue': '',
    },
  ) {}

  resolve(value: unknown): any {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.getAtt(String(id), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, source] = arg as [string, unknown];
          return String(this.resolve(source)).split(separator);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        default:
          if (fn.startsWith('Fn::') || fn === 'Condition') throw new Error(`Local runtime cannot resolve ${fn}`);
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  private ref(id: string): string {
    if (id in this.pseudo) return this.pseudo[id]!;
    const identity = this.identities.get(id);
    if (!identity) throw new Error(`Local runtime: Ref to unknown resource ${id}`);
    return identity.ref;
  }

  private getAtt(id: string, attribute: string): string {
    const identity = this.identities.get(id);
    const value = identity?.attributes[attribute];
    if (value === undefined) throw new Error(`Local runtime: no attribute ${attribute} for ${id}`);
    return value;
  }

  private sub(arg: unknown): string {
    const [template, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    const resolvedVars = this.resolve(variables) as Record<string, string>;
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in resolvedVars) return String(resolvedVars[name]);
      const [id, attribute] = name.split('.');
      return attribute ? this.getAtt(id!, attribute) : this.ref(id!);
    });
  }
}
