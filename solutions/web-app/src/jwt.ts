/** Reads a JWT's header and claims for display. Decoding is not verifying: the authorizer verifies. */
export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedToken | undefined {
  const [header, payload] = token.split(".");
  if (!header || !payload) return undefined;
  try {
    return { header: parsePart(header), claims: parsePart(payload) };
  } catch {
    return undefined;
  }
}

function parsePart(part: string): Record<string, unknown> {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** SHA-256 in hex, as the local gateway's trace names a token it received. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
