/**
 * Policies as a synthesized CloudFormation template holds them, made
 * evaluable: the intrinsics CDK writes into policy documents (`Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`) are resolved through a
 * caller-supplied resolver, so the local IAM check reads the same statements
 * the deployed roles get. The template is the JSON of `app.synth()`'s stack
 * artifact or of `Template.fromStack(stack).toJSON()` (aws-cdk-lib/assertions).
 *
 * Anything it cannot resolve is an error at load time, naming the intrinsic
 * and where it is, never a statement silently dropped or widened.
 */

export interface IntrinsicResolver {
  /** `{ "Ref": id }` for a resource or parameter (pseudo parameters go to `pseudo`). */
  ref(logicalId: string): string | undefined;
  /** `{ "Fn::GetAtt": [id, attribute] }`. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

export interface ResolverOptions {
  region: string;
  accountId: string;
  partition?: string;
  /** Values of resources and parameters by logical id, for `Ref`. */
  refs?: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` values by `logicalId.Attribute`, e.g. `PurchasesTable1234.Arn`. */
  attributes?: Readonly<Record<string, string>>;
}

/**
 * A resolver from fixed values plus the pseudo parameters. `Ref` to an
 * `AWS::DynamoDB::Table` resolves to its table name when given in `refs`;
 * `Fn::GetAtt [table, Arn]` defaults to the ARN built from that name.
 */
export function staticResolver(template: CloudFormationTemplate, options: ResolverOptions): IntrinsicResolver {
  const partition = options.partition ?? "aws";
  const pseudo: Record<string, string> = {
    "AWS::Region": options.region,
    "AWS::AccountId": options.accountId,
    "AWS::Partition": partition,
    "AWS::URLSuffix": "amazonaws.com",
  };
  const refs = options.refs ?? {};
  const attributes = options.attributes ?? {};
  return {
    ref: (id) => pseudo[id] ?? refs[id],
    getAtt(id, attribute) {
      const given = attributes[`${id}.${attribute}`];
      if (given !== undefined) return given;
      const resource = template.Resources?.[id];
      const tableName = refs[id];
      if (resource?.Type === "AWS::DynamoDB::Table" && attribute === "Arn" && tableName !== undefined) {
        return `arn:${partition}:dynamodb:${options.region}:${options.accountId}:table/${tableName}`;
      }
      return undefined;
    },
  };
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CloudFormationTemplate {
  Resources?: Record<string, CloudFormationResource>;
}

/** Replaces every intrinsic in `value` with its resolved string; throws on one it cannot resolve. */
export function resolveIntrinsics(value: unknown, resolver: IntrinsicResolver, where = "$"): unknown {
  if (Array.isArray(value)) {
    // `{ "Ref": "AWS::NoValue" }` removes the element, as CloudFormation does.
    return value
      .map((item, index) => resolveIntrinsics(item, resolver, `${where}[${index}]`))
      .filter((item) => item !== NO_VALUE);
  }
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === "Ref" || first[0].startsWith("Fn::"))) {
    return resolveIntrinsic(first[0], first[1], resolver, where);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveIntrinsics(item, resolver, `${where}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

const NO_VALUE = Symbol("AWS::NoValue");

function resolveIntrinsic(name: string, argument: unknown, resolver: IntrinsicResolver, where: string): unknown {
  const fail = (why: string): never => {
    throw new Error(`cannot resolve ${name} at ${where}: ${why}`);
  };
  const asString = (resolved: unknown, what: string): string =>
    typeof resolved === "string" ? resolved : fail(`${what} does not resolve to a string`);

  switch (name) {
    case "Ref": {
      if (argument === "AWS::NoValue") return NO_VALUE;
      if (typeof argument !== "string") return fail("its argument is not a logical id");
      return resolver.ref(argument) ?? fail(`no value for ${argument}`);
    }
    case "Fn::GetAtt": {
      const [id, attribute] = Array.isArray(argument)
        ? argument
        : typeof argument === "string"
          ? argument.split(/\.(.*)/s)
          : [];
      if (typeof id !== "string" || typeof attribute !== "string") return fail("expected [logicalId, attribute]");
      return resolver.getAtt(id, attribute) ?? fail(`no value for ${id}.${attribute}`);
    }
    case "Fn::Join": {
      if (!Array.isArray(argument) || typeof argument[0] !== "string") return fail("expected [delimiter, list]");
      const list = resolveIntrinsics(argument[1], resolver, `${where}.Fn::Join[1]`);
      if (!Array.isArray(list)) return fail("its list does not resolve to a list");
      return list.map((item, index) => asString(item, `item ${index}`)).join(argument[0]);
    }
    case "Fn::Select": {
      if (!Array.isArray(argument)) return fail("expected [index, list]");
      const index = Number(resolveIntrinsics(argument[0], resolver, `${where}.Fn::Select[0]`));
      const list = resolveIntrinsics(argument[1], resolver, `${where}.Fn::Select[1]`);
      if (!Array.isArray(list) || !(index in list)) return fail("index out of the list");
      return list[index];
    }
    case "Fn::Split": {
      if (!Array.isArray(argument) || typeof argument[0] !== "string") return fail("expected [delimiter, string]");
      const text = asString(resolveIntrinsics(argument[1], resolver, `${where}.Fn::Split[1]`), "its string");
      return text.split(argument[0]);
    }
    case "Fn::Sub": {
      const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
      if (typeof template !== "string") return fail("expected a template string");
      const given = resolveIntrinsics(variables ?? {}, resolver, `${where}.Fn::Sub[1]`) as Record<string, unknown>;
      // `${!Literal}` is the literal text `${Literal}` (how a policy variable is written inside Fn::Sub).
      return template.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
        if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
        if (inner in given) return asString(given[inner], inner);
        const dot = inner.indexOf(".");
        const resolved =
          dot > 0 && !inner.startsWith("AWS::")
            ? resolver.getAtt(inner.slice(0, dot), inner.slice(dot + 1))
            : resolver.ref(inner);
        return resolved ?? fail(`no value for \${${inner}}`);
      });
    }
    default:
      return fail("this intrinsic is not supported by the local IAM check");
  }
}

/**
 * The identity-based policy documents of one role in a template, resolved:
 * its inline `Policies` and every `AWS::IAM::Policy` attached to it by
 * `{ "Ref": roleLogicalId }`. Managed policies (`ManagedPolicyArns`) are not
 * in the template; a role that has any is refused unless `ignoreManagedPolicies`
 * is set (they are then left out, which can only take permissions away).
 */
export function rolePolicyDocuments(
  template: CloudFormationTemplate,
  roleLogicalId: string,
  resolver: IntrinsicResolver,
  options: { ignoreManagedPolicies?: boolean } = {},
): unknown[] {
  const resources = template.Resources ?? {};
  const role = resources[roleLogicalId];
  if (role?.Type !== "AWS::IAM::Role") throw new Error(`${roleLogicalId} is not an AWS::IAM::Role in the template`);

  const managed = role.Properties?.ManagedPolicyArns;
  if (Array.isArray(managed) && managed.length > 0 && !options.ignoreManagedPolicies) {
    throw new Error(
      `${roleLogicalId} has managed policies, which the template does not contain; the local IAM check cannot read them`,
    );
  }

  const documents: unknown[] = [];
  const inline = role.Properties?.Policies;
  if (Array.isArray(inline)) {
    for (const [index, policy] of inline.entries()) {
      const document = (policy as { PolicyDocument?: unknown }).PolicyDocument;
      documents.push(resolveIntrinsics(document, resolver, `${roleLogicalId}.Policies[${index}].PolicyDocument`));
    }
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== "AWS::IAM::Policy") continue;
    const roles = resource.Properties?.Roles;
    const attached = Array.isArray(roles) && roles.some((entry) => isRefTo(entry, roleLogicalId));
    if (attached) {
      documents.push(resolveIntrinsics(resource.Properties?.PolicyDocument, resolver, `${id}.PolicyDocument`));
    }
  }
  return documents;
}

function isRefTo(value: unknown, logicalId: string): boolean {
  return typeof value === "object" && value !== null && (value as { Ref?: unknown }).Ref === logicalId;
}
