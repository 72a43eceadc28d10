/**
 * Finds the API Gateway resource and method a request path belongs to.
 * `{name}` matches one non-empty path segment, `{name+}` (greedy) the rest of
 * the path; literal segments win over `{name}`, which wins over `{name+}`, as
 * in API Gateway. Matching is on the raw (still percent-encoded) path; the
 * proxy event decodes parameter values later.
 */

export interface RouteShape {
  method: string;
  /** Resource path with `{param}` placeholders, e.g. `/purchases/{purchaseId}`. */
  path: string;
}

export interface RouteMatch<R extends RouteShape> {
  route: R;
  /** Parameter values exactly as they appear in the URL (not yet decoded). */
  rawPathParameters: Record<string, string>;
}

type SegmentKind = "literal" | "param" | "greedy";

/** Best route for `method` + `path` (path below the stage, starting with `/`). */
export function matchRoute<R extends RouteShape>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> | undefined {
  let best: { match: RouteMatch<R>; rank: SegmentKind[] } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const attempt = matchTemplate(route.path, path);
    if (!attempt) continue;
    if (!best || moreSpecific(attempt.rank, best.rank)) {
      best = { match: { route, rawPathParameters: attempt.params }, rank: attempt.rank };
    }
  }
  return best?.match;
}

/** Whether any route's resource (whatever its method) matches the path: for CORS preflight. */
export function resourceExists(routes: readonly RouteShape[], path: string): boolean {
  return matchResource(routes, path) !== undefined;
}

/** The resource template (`/purchases/{purchaseId}`) the path belongs to, whatever the method. */
export function matchResource(routes: readonly RouteShape[], path: string): string | undefined {
  const anyMethod = routes.map((route) => ({ method: "*", path: route.path }));
  return matchRoute(anyMethod, "*", path)?.route.path;
}

function matchTemplate(
  template: string,
  path: string,
): { params: Record<string, string>; rank: SegmentKind[] } | undefined {
  const templateSegments = splitPath(template);
  const pathSegments = splitPath(path);
  const params: Record<string, string> = {};
  const rank: SegmentKind[] = [];

  for (const [index, segment] of templateSegments.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(segment);
    if (greedy?.[1]) {
      const rest = pathSegments.slice(index);
      if (rest.length === 0 || rest.some((part) => part === "")) return undefined;
      params[greedy[1]] = rest.join("/");
      rank.push("greedy");
      return { params, rank };
    }
    const value = pathSegments[index];
    if (value === undefined || value === "") return undefined;
    const param = /^\{(.+)\}$/.exec(segment);
    if (param?.[1]) {
      params[param[1]] = value;
      rank.push("param");
    } else if (segment === value) {
      rank.push("literal");
    } else {
      return undefined;
    }
  }
  return pathSegments.length === templateSegments.length ? { params, rank } : undefined;
}

/** `/` is the root resource: no segments. */
function splitPath(path: string): string[] {
  return path === "/" || path === "" ? [] : path.replace(/^\//, "").split("/");
}

const WEIGHT: Record<SegmentKind, number> = { literal: 0, param: 1, greedy: 2 };

function moreSpecific(a: SegmentKind[], b: SegmentKind[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = WEIGHT[a[i] as SegmentKind] - WEIGHT[b[i] as SegmentKind];
    if (diff !== 0) return diff < 0;
  }
  return a.length > b.length;
}
