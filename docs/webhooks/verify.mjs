// Verifies a xietong webhook (Standard Webhooks signatures) with node:crypto only.
//
//     node verify.mjs message.json
//
// message.json holds {"secret": "whsec_…", "headers": {"webhook-id": …, "webhook-timestamp": …,
// "webhook-signature": …}, "body": "<the request body, exactly as received>"}. Prints the change's
// sequence number and exits 0 when the message is authentic and recent; exits 1 otherwise.
// In a receiver, call verify(secret, headers, rawBody) before trusting the body.

import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { argv, exit } from "node:process";
import { fileURLToPath } from "node:url";

const TOLERANCE_SECONDS = 5 * 60;

/** Returns the parsed body if one of its signatures is valid; throws otherwise. */
export function verify(secret, headers, body, now = Date.now() / 1000) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const id = lower["webhook-id"];
  const timestamp = lower["webhook-timestamp"];
  const signatures = lower["webhook-signature"];
  if (!id || !timestamp || !signatures) throw new Error("missing webhook headers");
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new Error("timestamp outside the tolerance (a replay?)");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  // Several signatures (during a secret rotation), each "v1,<base64>", separated by spaces.
  for (const candidate of signatures.split(" ")) {
    const [version, signature] = candidate.split(",", 2);
    const given = Buffer.from(signature ?? "", "base64");
    if (version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)) {
      return JSON.parse(body.toString("utf8"));
    }
  }
  throw new Error("no valid signature");
}

if (argv[1] && fileURLToPath(import.meta.url) === resolve(argv[1])) {
  const message = JSON.parse(readFileSync(argv[2], "utf8"));
  try {
    const payload = verify(message.secret, message.headers, Buffer.from(message.body, "utf8"));
    console.log(`verified ${payload.data.sequence}`);
  } catch (error) {
    console.log(`rejected: ${error.message}`);
    exit(1);
  }
}
