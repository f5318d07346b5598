/**
 * The contract as the console reads it (the bundled AsyncAPI document at /asyncapi.json): every
 * client → server operation with its example, and a validator per wire event name built with ajv
 * from the document's own JSON Schemas.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

type Json = { [key: string]: unknown };

/** One client → server operation: a form in the console. */
export interface Operation {
  key: string;
  event: string;
  title: string;
  summary: string;
  example: unknown;
  replies: string[];
}

/** A validation outcome: `null` when valid, else readable problems. */
export type Problems = string[] | null;

function resolve(doc: Json, ref: string): Json {
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, "").split("/")) node = (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  const value = node as Json;
  return typeof value.$ref === "string" ? resolve(doc, value.$ref) : value;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(payload)"} ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`);
}

/** What the console needs from the document. */
export class Contract {
  readonly operations: Operation[] = [];
  private readonly incoming = new Map<string, ValidateFunction>();
  private readonly outgoing = new Map<string, ValidateFunction>();
  private readonly ackValidators = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: doc.components } as Json, "contract");
    const payloadRef = (message: Json): string => {
      const payload = message.payload as Json;
      return `contract${String(payload.$ref)}`;
    };
    const validator = (refs: string[]): ValidateFunction =>
      ajv.compile(refs.length === 1 ? { $ref: refs[0] } : { anyOf: refs.map(($ref) => ({ $ref })) });
    const incomingRefs = new Map<string, string[]>();
    const addIncoming = (message: Json): void => {
      const name = String(message.name);
      const refs = incomingRefs.get(name) ?? [];
      if (!refs.includes(payloadRef(message))) refs.push(payloadRef(message));
      incomingRefs.set(name, refs);
    };
    const operations = doc.operations as { [key: string]: Json };
    const errorBody = payloadRef(doc["x-chinwag-ack-error"] as Json);
    for (const [key, op] of Object.entries(operations)) {
      const messages = (op.messages as Json[]).map((m) => resolve(doc, String(m.$ref)));
      const replies = ((op.reply as Json | undefined)?.messages as Json[] | undefined ?? []).map((m) => resolve(doc, String(m.$ref)));
      if (op.action === "send") {
        messages.forEach(addIncoming);
        continue;
      }
      replies.forEach(addIncoming);
      const message = messages[0]!;
      const examples = (message.examples as Json[] | undefined) ?? [];
      this.operations.push({
        key,
        event: String(message.name),
        title: String(op.title ?? message.name),
        summary: String(op.summary ?? message.summary ?? ""),
        example: examples[0]?.payload ?? {},
        replies: replies.map((r) => String(r.name)),
      });
      this.outgoing.set(String(message.name), validator([payloadRef(message)]));
      const success = replies.filter((r) => !isError(doc, r)).map(payloadRef);
      this.ackValidators.set(String(message.name), validator([...success, errorBody]));
    }
    for (const [name, refs] of incomingRefs) this.incoming.set(name, validator(refs));
  }

  /** Check a payload the server sent as `event`. */
  checkIncoming(event: string, payload: unknown): Problems {
    const validate = this.incoming.get(event);
    if (validate === undefined) return [`"${event}" is not an event the contract declares`];
    return validate(payload) ? null : describe(validate.errors);
  }

  /** Check a payload before emitting it as `event` (shown, never blocking: try invalid ones too). */
  checkOutgoing(event: string, payload: unknown): Problems {
    const validate = this.outgoing.get(event);
    if (validate === undefined) return [`"${event}" is not an operation the contract declares`];
    return validate(payload) ? null : describe(validate.errors);
  }

  /** Check the acknowledgement of `event`: its success reply or the error body. */
  checkAck(event: string, response: unknown): Problems {
    const validate = this.ackValidators.get(event);
    if (validate === undefined) return null;
    return validate(response) ? null : describe(validate.errors);
  }
}

/** An error reply: its payload has a field typed ErrorCode (the rule the docs generator uses). */
function isError(doc: Json, message: Json): boolean {
  const payload = resolve(doc, String((message.payload as Json).$ref));
  return JSON.stringify(payload.properties ?? {}).includes('"#/components/schemas/ErrorCode"');
}
