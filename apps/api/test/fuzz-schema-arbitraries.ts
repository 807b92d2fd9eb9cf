import fc from 'fast-check';

// fast-check arbitraries made from the JSON schemas @fastify/swagger publishes for each route
// (fuzz.test.ts). `validValue` aims inside the schema, edges included; `invalidValue` just outside
// it (one field wrong, a bound crossed, a type swapped) or far outside (`nastyValue`).

/** The subset of JSON Schema (OpenAPI 3.0 flavour) that zod's schemas turn into. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
}

/** Where generated values may borrow realistic content: ids of existing rows, other schemas. */
export interface SchemaContext {
  /** A property or parameter name (`sessionId`, `id`, `apiKey`) to the values worth trying for it. */
  known(name: string): string[];
  /**
   * Stand-ins for an empty schema `{}` under the property `name` (a bulk route checks each item of
   * `messages` itself, after its route schema): at least one schema.
   */
  fallbacks(name: string): JsonSchema[];
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Text that has broken parsers, loggers and databases before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFFbom',
  '\uD800',
  '😀👍🏽‍🔥',
  'Ｔｅｓｔ',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '../../etc/passwd',
  "'; DROP TABLE sessions; --",
  '<script>alert(1)</script>',
  '%00',
  '%zz',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack (log4shell).
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\r\nX-Injected: 1',
  '__proto__',
];

/** Any JSON value, chosen to break things rather than to look real. */
export function nastyValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1),
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: 'binary', maxLength: 40 }),
    // Long text: past every maxLength of the API but inside BODY_LIMIT.
    fc.integer({ min: 1000, max: 200_000 }).map((n) => 'x'.repeat(n)),
    // An own __proto__ / constructor key, as JSON.parse makes it (an object literal would not).
    fc
      .constantFrom(...PROTO_KEYS)
      .map((key) => JSON.parse(`{"${key}":{"polluted":true,"isAdmin":true}}`) as unknown),
    // Deep nesting: recursive validators and serialisers (deeper still as raw text: deepJson).
    fc.integer({ min: 50, max: 500 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
    fc
      .integer({ min: 50, max: 500 })
      .map((depth) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(fc.constant(0), { minLength: 1000, maxLength: 20_000 }),
  );
}

/** JSON text nested deeper than JSON.stringify could write it (a stack overflow in a recursive parser). */
export function deepJson(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 1000, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 1000, max: 50_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc
      .integer({ min: 1000, max: 50_000 })
      .map((depth) => `{"messages":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  );
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function isEmpty(schema: JsonSchema): boolean {
  return Object.keys(schema).every((key) => key === 'description' || key === 'default');
}

/** `length` characters, all one (possibly astral) character: cheap at 64 KiB. */
const ofLength = (length: number) =>
  fc.constantFrom('a', 'é', '0', ' ', '\u0000').map((c) => c.repeat(Math.max(0, length)));

function validString(schema: JsonSchema, name: string, ctx: SchemaContext): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 64);
  const within = (s: string) => s.length >= min && s.length <= max;
  const options: fc.Arbitrary<string>[] = [];
  if (schema.format === 'date-time') {
    options.push(
      fc
        .date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
  } else if (schema.pattern) {
    options.push(fc.stringMatching(new RegExp(schema.pattern)).filter(within));
  } else if (schema.format === 'uri') {
    options.push(fc.webUrl({ withQueryParameters: true }).filter(within));
  } else {
    options.push(fc.string({ minLength: min, maxLength: Math.min(max, min + 24), unit: 'grapheme' }));
    options.push(ofLength(min), ofLength(max));
  }
  const known = ctx.known(name).filter(within);
  if (known.length === 0) return fc.oneof(...options);
  // Half the time a value the handler knows (an existing id, a recipient, an event name): the
  // schema says little about what gets past the handler's own checks.
  return fc.oneof(
    { arbitrary: fc.constantFrom(...known), weight: 1 },
    { arbitrary: fc.oneof(...options), weight: 1 },
  );
}

function validNumber(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lower = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : schema.minimum;
  const upper = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : schema.maximum;
  const min = Math.max(lower ?? -1e9, Number.MIN_SAFE_INTEGER);
  const max = Math.min(upper ?? 1e9, Number.MAX_SAFE_INTEGER);
  const edges = fc.constantFrom(min, max, Math.max(min, Math.min(max, 0)));
  const any = integer
    ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(edges, any);
}

function validArray(
  schema: JsonSchema,
  ctx: SchemaContext,
  depth: number,
  name: string,
): fc.Arbitrary<unknown[]> {
  const min = schema.minItems ?? 0;
  const item = validValue(schema.items ?? {}, ctx, depth + 1, name);
  const small = fc.array(item, { minLength: min, maxLength: Math.min(schema.maxItems ?? min + 3, min + 3) });
  if (schema.maxItems === undefined) return small;
  // Exactly maxItems: one generated item repeated, so a 1000-item edge costs one item's work.
  const full = item.map((value) => Array.from({ length: schema.maxItems ?? 0 }, () => value));
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: full, weight: 1 });
}

function validObject(schema: JsonSchema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, prop]) => [key, validValue(prop, ctx, depth + 1, key)]),
  );
  const required = (schema.required ?? []).filter((key) => key in properties);
  const optional = Object.keys(properties).filter((key) => !required.includes(key));
  // Few optional properties as often as many: some bodies take "exactly one of" them.
  const chosen = fc.oneof(
    { arbitrary: fc.constant([]), weight: 1 },
    {
      arbitrary: fc.subarray(optional, {
        minLength: Math.min(1, optional.length),
        maxLength: Math.min(1, optional.length),
      }),
      weight: 3,
    },
    { arbitrary: fc.subarray(optional), weight: 1 },
  );
  const record = chosen.chain((keys) => {
    const picked = Object.fromEntries(
      [...required, ...keys].map((key) => [key, model[key] as fc.Arbitrary<unknown>]),
    );
    return fc.record(picked);
  });
  if (typeof schema.additionalProperties !== 'object' || Object.keys(properties).length > 0) return record;
  // A map (`headers`: name → value): a few generated keys.
  const value = validValue(schema.additionalProperties, ctx, depth + 1);
  return fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), value, { maxKeys: 4 });
}

/** A value the schema accepts, often at its edges, borrowing known ids for fields named like ids. */
function validValue(schema: JsonSchema, ctx: SchemaContext, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (schema.nullable) {
    return fc.oneof(validValue({ ...schema, nullable: false }, ctx, depth, name), fc.constant(null));
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return fc.oneof(...union.map((s) => validValue(s, ctx, depth, name)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf), ctx, depth, name);
  if (isEmpty(schema)) {
    if (depth > 3) return fc.jsonValue({ maxDepth: 2 });
    return fc.oneof(...ctx.fallbacks(name).map((s) => validValue(s, ctx, depth + 1)));
  }
  const arbitraries = typesOf(schema).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string':
        return validString(schema, name, ctx);
      case 'integer':
      case 'number':
        return validNumber(schema, type === 'integer');
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return validArray(schema, ctx, depth, name);
      default:
        return validObject(schema, ctx, depth);
    }
  });
  return arbitraries.length > 0 ? fc.oneof(...arbitraries) : fc.jsonValue({ maxDepth: 2 });
}

/** Values one step outside the schema: a bound crossed by one, the wrong type, a stray property. */
function nearMisses(schema: JsonSchema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown>[] {
  const misses: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) misses.push(fc.constantFrom('not-in-enum', String(schema.enum[0]).toUpperCase(), 1));
  if (schema.maxLength !== undefined) misses.push(ofLength(schema.maxLength + 1));
  if (schema.minLength) misses.push(ofLength(schema.minLength - 1));
  if (schema.pattern) misses.push(fc.constantFrom(...NASTY_STRINGS));
  if (typeof schema.minimum === 'number') misses.push(fc.constant(schema.minimum - 1));
  if (typeof schema.maximum === 'number') misses.push(fc.constant(schema.maximum + 1));
  const types = typesOf(schema);
  if (types.includes('integer')) misses.push(fc.constantFrom(1.5, '12', 1e21));
  if (types.includes('array')) {
    const item = validValue(schema.items ?? {}, ctx, depth + 1);
    if (schema.maxItems !== undefined) {
      const over = schema.maxItems + 1;
      misses.push(item.map((value) => Array.from({ length: over }, () => value)));
    }
    if (schema.minItems) misses.push(fc.constant([]));
    misses.push(fc.array(invalidValue(schema.items ?? {}, ctx, depth + 1), { minLength: 1, maxLength: 3 }));
  }
  if (types.includes('object') && schema.properties) misses.push(...objectMisses(schema, ctx, depth));
  return misses;
}

function objectMisses(schema: JsonSchema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown>[] {
  const properties = Object.entries(schema.properties ?? {});
  const base = validObject(schema, ctx, depth) as fc.Arbitrary<Record<string, unknown>>;
  const misses: fc.Arbitrary<unknown>[] = [
    // A stray property, a prototype key among them (set as an own property, as JSON.parse does).
    fc.tuple(base, fc.constantFrom('extra', '', ...PROTO_KEYS), nastyValue()).map(([object, key, value]) => {
      const copy = { ...object };
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
      return copy;
    }),
  ];
  if (properties.length > 0) {
    // One property wrong, the rest valid: the case that reaches furthest into a handler.
    const oneWrong = fc.integer({ min: 0, max: properties.length - 1 }).chain((i) => {
      const [key, prop] = properties[i] as [string, JsonSchema];
      return fc
        .tuple(base, invalidValue(prop, ctx, depth + 1))
        .map(([object, value]) => ({ ...object, [key]: value }));
    });
    misses.push(oneWrong);
  }
  const required = schema.required ?? [];
  if (required.length > 0) {
    misses.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([object, key]) => {
        const { [key]: _dropped, ...rest } = object;
        return rest;
      }),
    );
  }
  return misses;
}

/** A value the schema should refuse (or, for loose schemas, a hostile one it accepts). */
function invalidValue(schema: JsonSchema, ctx: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const misses = depth > 4 ? [] : nearMisses(schema, ctx, depth);
  if (misses.length === 0) return nastyValue();
  return fc.oneof({ arbitrary: fc.oneof(...misses), weight: 3 }, { arbitrary: nastyValue(), weight: 1 });
}

/** Mostly valid (so requests get past validation into handlers), often not. */
export function schemaValue(schema: JsonSchema, ctx: SchemaContext, name = ''): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: validValue(schema, ctx, 0, name), weight: 3 },
    { arbitrary: invalidValue(schema, ctx), weight: 2 },
  );
}
