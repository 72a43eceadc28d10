/**
 * Makes an HTTP call and prints it as the `curl` command a person could type,
 * with long values (the API URL, tokens) shown as shell variables.
 */
import { style } from "./console-style.ts";

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export class CurlPrinter {
  private readonly variables: [value: string, name: string][] = [];

  /** Show `value` as `$name` in printed commands. */
  define(name: string, value: string): void {
    this.variables.push([value, `$${name}`]);
    this.variables.sort((a, b) => b[0].length - a[0].length);
  }

  format(call: HttpCall): string {
    const parts = ["curl -s"];
    if (call.method !== "GET") parts.push(`-X ${call.method}`);
    parts.push(`"${this.substitute(call.url)}"`);
    for (const [name, value] of Object.entries(call.headers ?? {}))
      parts.push(`-H "${name}: ${this.substitute(value)}"`);
    // In the single-quoted body a variable needs the quotes closed around it: '{"a":"'"$VAR"'"}'.
    if (call.body !== undefined)
      parts.push(`-d '${this.substitute(call.body.replaceAll("'", "'\\''"), (name) => `'"${name}"'`)}'`);
    return parts.join(" ");
  }

  async send(call: HttpCall): Promise<HttpResult> {
    console.log(`  ${style.cyan("$")} ${this.format(call)}`);
    const response = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  private substitute(text: string, shown: (name: string) => string = (name) => name): string {
    return this.variables.reduce((out, [value, name]) => out.replaceAll(value, shown(name)), text);
  }
}
