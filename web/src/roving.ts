// A list that is one tab stop however long it is (the People tab with hundreds present): the rows take
// focus in turn with the arrow keys, and a row's own buttons with left and right, as in a grid. Every
// other control inside the list is taken out of the tab order; the row last focused keeps the one stop.
import type { RefObject } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

const CONTROLS = "button, a[href], input, select, textarea";

function rowsOf(list: HTMLElement): HTMLElement[] {
  return Array.from(list.children).filter((row): row is HTMLElement => row instanceof HTMLElement);
}

function rowOf(list: HTMLElement, target: EventTarget | null): HTMLElement | null {
  let node = target instanceof HTMLElement ? target : null;
  while (node && node.parentElement !== list) node = node.parentElement;
  return node;
}

// Returns the ref to put on the list (a <ul> or <ol> whose children are the rows).
export function useRovingList<T extends HTMLElement>(): RefObject<T> {
  const ref = useRef<T>(null);
  // The key of the row holding the tab stop, kept across renders (rows come and go as people do).
  const current = useRef<string | null>(null);

  // After every render: one row is in the tab order, nothing else in the list is.
  useLayoutEffect(() => {
    const list = ref.current;
    if (!list) return;
    const rows = rowsOf(list);
    const keyOf = (row: HTMLElement) => row.dataset.member ?? row.dataset.entry ?? row.textContent ?? "";
    const holder = rows.find((row) => keyOf(row) === current.current) ?? rows[0];
    for (const row of rows) row.tabIndex = row === holder ? 0 : -1;
    for (const control of Array.from(list.querySelectorAll<HTMLElement>(CONTROLS))) control.tabIndex = -1;
  });

  useLayoutEffect(() => {
    const list = ref.current;
    if (!list) return;
    const focusRow = (row: HTMLElement | undefined) => {
      if (!row) return;
      for (const other of rowsOf(list)) other.tabIndex = other === row ? 0 : -1;
      current.current = row.dataset.member ?? row.dataset.entry ?? row.textContent ?? "";
      row.focus();
    };
    const onFocus = (event: FocusEvent) => {
      const row = rowOf(list, event.target);
      if (!row) return;
      current.current = row.dataset.member ?? row.dataset.entry ?? row.textContent ?? "";
      for (const other of rowsOf(list)) other.tabIndex = other === row ? 0 : -1;
    };
    const onKey = (event: KeyboardEvent) => {
      // Typing in a field inside a row (a confirmation's question has none, but be safe) is not moving.
      if ((event.target as HTMLElement).matches("input, textarea, select")) return;
      const row = rowOf(list, event.target);
      if (!row) return;
      const rows = rowsOf(list);
      const index = rows.indexOf(row);
      const controls = Array.from(row.querySelectorAll<HTMLElement>(CONTROLS));
      const inRow = controls.indexOf(event.target as HTMLElement);
      let handled = true;
      if (event.key === "ArrowDown") focusRow(rows[index + 1]);
      else if (event.key === "ArrowUp") focusRow(rows[index - 1]);
      else if (event.key === "Home") focusRow(rows[0]);
      else if (event.key === "End") focusRow(rows[rows.length - 1]);
      else if (event.key === "ArrowRight") controls[inRow + 1]?.focus();
      else if (event.key === "ArrowLeft") (inRow <= 0 ? row : controls[inRow - 1]).focus();
      else handled = false;
      if (handled) event.preventDefault();
    };
    list.addEventListener("keydown", onKey);
    list.addEventListener("focusin", onFocus);
    return () => {
      list.removeEventListener("keydown", onKey);
      list.removeEventListener("focusin", onFocus);
    };
  }, []);
  return ref;
}
