/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page is a few forms, a table and a list: plain DOM, no framework. A UI
 * library would save little here and put a layer between the learner and the
 * calls they are here to see.
 */
type Child = Node | string | false | null | undefined;

/** An element with attributes (an undefined value is left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children)
    if (child !== false && child !== null && child !== undefined && child !== "") element.append(child);
  return element;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id} on the page`);
  return element as T;
}
