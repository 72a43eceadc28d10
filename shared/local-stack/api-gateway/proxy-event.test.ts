import { describe, expect, it } from "vitest";
import { buildProxyEvent } from "./proxy-event.ts";
import type { ProxyEventInput } from "./proxy-event.ts";

const input = (overrides: Partial<ProxyEventInput>): ProxyEventInput => ({
  resource: "/purchases",
  httpMethod: "GET",
  path: "/purchases",
  rawQuery: "",
  rawHeaders: [],
  body: "",
  rawPathParameters: {},
  stage: "prod",
  accountId: "123456789012",
  apiId: "localapi01",
  sourceIp: "127.0.0.1",
  requestTimeEpoch: 0,
  ...overrides,
});

/** Names an object literal already "has": a parser on `{}` mistakes them for its own entries. */
const BUILT_IN_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

describe("names that are JavaScript built-ins are ordinary names", () => {
  it.each(BUILT_IN_NAMES)("query parameter %s", (name) => {
    const event = buildProxyEvent(input({ rawQuery: `${name}=1&${name}=2&limit=5` }));
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      [name, "2"],
      ["limit", "5"],
    ]);
    expect(Object.entries(event.multiValueQueryStringParameters ?? {})).toEqual([
      [name, ["1", "2"]],
      ["limit", ["5"]],
    ]);
    // A plain object, as the JSON event is in AWS: the name is an own key, not a prototype.
    expect(Object.getPrototypeOf(event.queryStringParameters)).toBe(Object.prototype);
  });

  it.each(BUILT_IN_NAMES)("header %s", (name) => {
    const event = buildProxyEvent(input({ rawHeaders: [name, "a", "Host", "example.com", name, "b"] }));
    expect(Object.entries(event.headers)).toEqual([
      [name, "b"],
      ["Host", "example.com"],
    ]);
    expect(Object.entries(event.multiValueHeaders)).toEqual([
      [name, ["a", "b"]],
      ["Host", ["example.com"]],
    ]);
  });
});

it("uses the request id it is given (the one the response's x-amzn-RequestId carries)", () => {
  expect(buildProxyEvent(input({ requestId: "2f0f9a7e-0000-4000-8000-000000000001" })).requestContext.requestId).toBe(
    "2f0f9a7e-0000-4000-8000-000000000001",
  );
});
