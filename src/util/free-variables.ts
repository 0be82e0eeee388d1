import type * as acorn from "acorn";
import { lazyModule } from "./lazy.js";

const acornLib = lazyModule<typeof import("acorn")>("acorn");

/** What a function's source reads from outside itself, found by parsing it (never by searching its text). */
export interface FunctionReads {
  /** Names it reads or writes that it does not declare (globals included), in order of first use. */
  readonly free: readonly string[];
  /** Whether it uses `this` outside a nested function of its own (or an arrow's outer `arguments`). */
  readonly outerThis: boolean;
  /** The free names it assigns to (`n += 1`, `n++`, `[a, n] = …`): it changes variables outside itself. */
  readonly assigned: readonly string[];
  /** An expression that evaluates to the function, compiled alone. */
  readonly expression: string;
}

type Node = acorn.AnyNode;

/** A scope: the names declared in it, and whether it is a function's own scope. */
interface Scope {
  readonly names: Set<string>;
  readonly fn: boolean;
  readonly parent: Scope | undefined;
}

/** The function expression `text` parses to, alone, or undefined. */
function parseExpression(text: string): acorn.Expression | undefined {
  let program: acorn.Program;
  try {
    program = acornLib().parse(text, { ecmaVersion: "latest", sourceType: "script" });
  } catch {
    return undefined;
  }
  const stmt = program.body[0];
  return program.body.length === 1 && stmt?.type === "ExpressionStatement" ? stmt.expression : undefined;
}

/**
 * The free names of the function whose source is `source` (as `Function.prototype.toString`
 * gives it), or undefined when the source does not stand alone (a getter, a class member). A
 * method shorthand (`tokenize(s) { … }` of an object literal) is read as the function it is.
 */
export function functionReads(source: string): FunctionReads | undefined {
  let expression = `(${source})`;
  let top = parseExpression(expression);
  if (!top) {
    // a method of an object literal: its value, taken from a one-method object
    expression = `Object.values({${source}})[0]`;
    const holder = parseExpression(`({${source}})`);
    const only =
      holder?.type === "ObjectExpression" && holder.properties.length === 1 ? holder.properties[0] : undefined;
    if (only?.type !== "Property" || !only.method || only.computed || only.kind !== "init") return undefined;
    top = only.value;
  }
  if (top.type !== "ArrowFunctionExpression" && top.type !== "FunctionExpression") return undefined;
  const free = new Set<string>();
  const assigned = new Set<string>();
  let outerThis = false;
  const scopes = new Map<Node, Scope>();

  // first pass: the names each scope declares (hoisting included)
  const declare = (scope: Scope, pattern: acorn.Pattern | null | undefined): void => {
    if (!pattern) return;
    switch (pattern.type) {
      case "Identifier":
        scope.names.add(pattern.name);
        break;
      case "ObjectPattern":
        for (const p of pattern.properties) declare(scope, p.type === "RestElement" ? p.argument : p.value);
        break;
      case "ArrayPattern":
        for (const p of pattern.elements) declare(scope, p);
        break;
      case "RestElement":
        declare(scope, pattern.argument);
        break;
      case "AssignmentPattern":
        declare(scope, pattern.left);
        break;
      default:
        break; // a member expression as a target declares nothing
    }
  };
  const fnScope = (s: Scope): Scope => (s.fn || !s.parent ? s : fnScope(s.parent));
  const collect = (node: Node, scope: Scope): void => {
    let inner = scope;
    switch (node.type) {
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression": {
        if (node.type === "FunctionDeclaration" && node.id) scope.names.add(node.id.name);
        inner = { names: new Set(), fn: true, parent: scope };
        if (node.type === "FunctionExpression" && node.id) inner.names.add(node.id.name);
        if (node.type !== "ArrowFunctionExpression") inner.names.add("arguments");
        for (const p of node.params) declare(inner, p);
        scopes.set(node, inner);
        break;
      }
      case "BlockStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
      case "CatchClause":
      case "ClassExpression":
        inner = { names: new Set(), fn: false, parent: scope };
        scopes.set(node, inner);
        if (node.type === "CatchClause") declare(inner, node.param);
        if (node.type === "ClassExpression" && node.id) inner.names.add(node.id.name);
        break;
      case "VariableDeclaration":
        for (const d of node.declarations) declare(node.kind === "var" ? fnScope(scope) : scope, d.id);
        break;
      case "ClassDeclaration":
        if (node.id) scope.names.add(node.id.name);
        break;
      default:
        break;
    }
    forEachChild(node, (child) => collect(child, inner));
  };
  const root: Scope = { names: new Set(), fn: true, parent: undefined };
  collect(top, root);

  // second pass: every name read, resolved through the scopes
  const resolves = (name: string, scope: Scope | undefined): boolean =>
    scope !== undefined && (scope.names.has(name) || resolves(name, scope.parent));
  const visit = (node: Node, scope: Scope, inArrowsOnly: boolean): void => {
    const own = scopes.get(node) ?? scope;
    switch (node.type) {
      case "Identifier":
        if (!resolves(node.name, scope)) free.add(node.name);
        return;
      case "ThisExpression":
        if (inArrowsOnly) outerThis = true; // the driver's `this` (an arrow's), or a sloppy global one in a worker
        return;
      case "MemberExpression":
        visit(node.object, scope, inArrowsOnly);
        if (node.computed) visit(node.property, scope, inArrowsOnly);
        return;
      case "Property":
      case "PropertyDefinition":
      case "MethodDefinition":
        if (node.computed) visit(node.key, scope, inArrowsOnly);
        if (node.value) visit(node.value, scope, inArrowsOnly);
        return;
      case "LabeledStatement":
        visit(node.body, scope, inArrowsOnly);
        return;
      case "AssignmentExpression":
        for (const name of targetNames(node.left)) if (!resolves(name, scope)) assigned.add(name);
        visitPattern(node.left, scope, inArrowsOnly);
        visit(node.right, scope, inArrowsOnly);
        return;
      case "UpdateExpression":
        if (node.argument.type === "Identifier" && !resolves(node.argument.name, scope))
          assigned.add(node.argument.name);
        visit(node.argument, scope, inArrowsOnly);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
        return;
      case "FunctionExpression":
      case "FunctionDeclaration":
        // their own `this` and `arguments`; defaults and bodies read through their scope
        if (node !== top) inArrowsOnly = false;
        for (const p of node.params) visitPattern(p, own, inArrowsOnly);
        visit(node.body, own, inArrowsOnly);
        return;
      case "ArrowFunctionExpression":
        for (const p of node.params) visitPattern(p, own, inArrowsOnly);
        visit(node.body, own, inArrowsOnly);
        return;
      case "VariableDeclarator":
        visitPattern(node.id, own, inArrowsOnly);
        if (node.init) visit(node.init, own, inArrowsOnly);
        return;
      case "CatchClause":
        if (node.param) visitPattern(node.param, own, inArrowsOnly);
        visit(node.body, own, inArrowsOnly);
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        if (node.superClass) visit(node.superClass, own, inArrowsOnly);
        visit(node.body, own, false);
        return;
      default:
        forEachChild(node, (child) => visit(child, own, inArrowsOnly));
    }
  };
  // a declared pattern's names are declarations, not reads; its defaults and computed keys are reads
  const visitPattern = (p: acorn.Pattern, scope: Scope, inArrowsOnly: boolean): void => {
    switch (p.type) {
      case "Identifier":
        // a declared name resolves in its scope; an assigned one that does not is free
        if (!resolves(p.name, scope)) free.add(p.name);
        return;
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") visitPattern(prop.argument, scope, inArrowsOnly);
          else {
            if (prop.computed) visit(prop.key, scope, inArrowsOnly);
            visitPattern(prop.value, scope, inArrowsOnly);
          }
        }
        return;
      case "ArrayPattern":
        for (const e of p.elements) if (e) visitPattern(e, scope, inArrowsOnly);
        return;
      case "RestElement":
        visitPattern(p.argument, scope, inArrowsOnly);
        return;
      case "AssignmentPattern":
        visitPattern(p.left, scope, inArrowsOnly);
        visit(p.right, scope, inArrowsOnly);
        return;
      default:
        visit(p, scope, inArrowsOnly); // a member expression assigned to: it reads its object
    }
  };
  visit(top, root, true);
  if (top.type === "ArrowFunctionExpression" && free.has("arguments")) outerThis = true;
  return { free: [...free], outerThis, assigned: [...assigned], expression };
}

/** The plain names an assignment target writes (`a`, `[a, {b}]`; not `o.p`). */
function targetNames(p: acorn.Pattern): string[] {
  switch (p.type) {
    case "Identifier":
      return [p.name];
    case "ObjectPattern":
      return p.properties.flatMap((q) => targetNames(q.type === "RestElement" ? q.argument : q.value));
    case "ArrayPattern":
      return p.elements.flatMap((e) => (e ? targetNames(e) : []));
    case "RestElement":
      return targetNames(p.argument);
    case "AssignmentPattern":
      return targetNames(p.left);
    default:
      return [];
  }
}

/** Calls `f` on every child node of `node`, in source order. */
function forEachChild(node: Node, f: (child: Node) => void): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc" || key === "range" || key === "type") continue;
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) f(v);
    } else if (isNode(value)) f(value);
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}
