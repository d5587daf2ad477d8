/**
 * The card templates expanded without the expression engine, for the few forms they use: `${a.b}`, text around
 * `${a.b}`, and `$when` on `${a}`, `${!a}`, `${a != ''}`, `${a != null}`, `${count(a) > 0}`. The engine looks up
 * every name by comparing it, lower-cased, with each key of the view; that is most of the CPU a card costs.
 *
 * The result is the engine's, byte for byte (test/teams/fast-template.test.ts compares them): a template using any
 * other form is not compiled, and a view holding anything the engine would treat otherwise (a missing or null
 * value, a key differing from another only in case, a condition that is not a boolean) is left to the engine.
 */

/** The keys the engine never copies into the card. */
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

class Unsupported extends Error {}

/** Thrown during an expansion the engine must do instead. */
const ASK_THE_ENGINE = Symbol('ask the engine');

interface Scope {
  view: object;
  /** Objects whose keys are known to be distinct ignoring case, so the engine's case-blind lookup finds the exact key. */
  checked: Set<object>;
}

type Expand = (scope: Scope) => unknown;
type Condition = (scope: Scope) => boolean;

const NAME = '[A-Za-z_]\\w*';
const PATH = `${NAME}(?:\\.${NAME})*`;
const WHOLE = /^\$\{([^${}`]*)\}$/;
const CONDITIONS: [RegExp, (path: string[]) => Condition][] = [
  [new RegExp(`^(${PATH})$`), (path) => (scope) => boolean(lookup(scope, path))],
  [new RegExp(`^!(${PATH})$`), (path) => (scope) => !boolean(lookup(scope, path))],
  [new RegExp(`^(${PATH}) != ''$`), (path) => (scope) => string(lookup(scope, path)) !== ''],
  [new RegExp(`^(${PATH}) != null$`), (path) => (scope) => nullable(lookup(scope, path)) !== null],
  [new RegExp(`^count\\((${PATH})\\) > 0$`), (path) => (scope) => array(lookup(scope, path)).length > 0],
];
const VALUE = new RegExp(`^${PATH}$`);
/** Text between expressions that the engine's own string syntax would read as it is. */
const LITERAL = /^[^`\\${}]*$/;

/** A function expanding the template as the engine would, or undefined when the template uses a form it does not know. */
export function compileTemplate(template: unknown): ((view: object) => unknown) | undefined {
  let expand: Expand;
  try {
    expand = compileNode(template);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  /** The expanded card, or undefined when the engine must expand this view. */
  return (view) => {
    try {
      return expand({ view, checked: new Set() });
    } catch (error) {
      if (error === ASK_THE_ENGINE) return undefined;
      throw error;
    }
  };
}

function compileNode(node: unknown): Expand {
  if (typeof node === 'string') return compileString(node);
  if (Array.isArray(node)) return compileArray(node);
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>);
  return () => node;
}

function compileArray(items: unknown[]): Expand {
  const parts = items.map((item) => {
    // An expression as an item could expand to a list the engine splices in: not a form the templates use.
    if (typeof item === 'string' && item.includes('${')) throw new Unsupported();
    return compileNode(item);
  });
  return (scope) => {
    const out: unknown[] = [];
    for (const part of parts) {
      const value = part(scope);
      // As the engine does: a dropped item goes, a list is spliced in.
      if (Array.isArray(value)) out.push(...value);
      else if (value !== null) out.push(value);
    }
    return out;
  };
}

function compileObject(node: Record<string, unknown>): Expand {
  if ('$data' in node) throw new Unsupported();
  const when = '$when' in node ? compileCondition(node.$when) : undefined;
  const entries = Object.keys(node).filter((key) => !RESERVED.has(key)).map((key) => [key, compileNode(node[key])] as const);
  return (scope) => {
    if (when && !when(scope)) return null;
    const out: Record<string, unknown> = {};
    for (const [key, expand] of entries) out[key] = expand(scope);
    return out;
  };
}

function compileCondition(when: unknown): Condition {
  const inner = typeof when === 'string' ? WHOLE.exec(when)?.[1] : undefined;
  if (inner === undefined) throw new Unsupported();
  for (const [pattern, make] of CONDITIONS) {
    const match = pattern.exec(inner);
    if (match) return make(match[1]!.split('.'));
  }
  throw new Unsupported();
}

function compileString(text: string): Expand {
  if (!text.includes('${')) return () => text;
  const whole = WHOLE.exec(text)?.[1];
  if (whole !== undefined) {
    if (!VALUE.test(whole)) throw new Unsupported();
    const path = whole.split('.');
    return (scope) => inserted(lookup(scope, path));
  }
  // Text and names in turn: literal, name, literal, …, literal.
  const pieces = text.split(/\$\{([^}]*)\}/);
  const literals = pieces.filter((_, i) => i % 2 === 0);
  const paths = pieces.filter((_, i) => i % 2 === 1).map((name) => {
    if (!VALUE.test(name)) throw new Unsupported();
    return name.split('.');
  });
  if (!literals.every((literal) => LITERAL.test(literal))) throw new Unsupported();
  return (scope) => {
    let out = literals[0]!;
    for (let i = 0; i < paths.length; i++) out += string(lookup(scope, paths[i]!)) + literals[i + 1]!;
    return out;
  };
}

function lookup(scope: Scope, path: string[]): unknown {
  let value: unknown = scope.view;
  for (const name of path) {
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw ASK_THE_ENGINE;
    if (!scope.checked.has(value)) {
      const keys = Object.keys(value);
      if (new Set(keys.map((key) => key.toLowerCase())).size !== keys.length) throw ASK_THE_ENGINE;
      scope.checked.add(value);
    }
    if (!Object.prototype.propertyIsEnumerable.call(value, name)) throw ASK_THE_ENGINE;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** What a whole-string expression puts in the card: the value itself, as the engine does for these types. */
function inserted(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || Array.isArray(value)) return value;
  throw ASK_THE_ENGINE;
}

function boolean(value: unknown): boolean {
  if (typeof value !== 'boolean') throw ASK_THE_ENGINE;
  return value;
}

function string(value: unknown): string {
  if (typeof value !== 'string') throw ASK_THE_ENGINE;
  return value;
}

function nullable(value: unknown): unknown {
  if (value === null || typeof value === 'string' || (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)) return value;
  throw ASK_THE_ENGINE;
}

function array(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw ASK_THE_ENGINE;
  return value;
}
