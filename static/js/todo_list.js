/*
 * Keeps the keyboard's place, and what is typed in the quick add, when an htmx action replaces
 * the todo list.
 *
 * htmx gives focus back to the element with the id that had it (the quick add, a todo's toggle).
 * When that element is gone (a deleted todo, a todo that left the filtered view, "Clear
 * completed"), focus would fall back to the top of the page. It goes instead to the row now in
 * the gone one's place (or the last row), else to the counters. A row, not a button in it: a
 * held Enter then acts on nothing, where a button would delete todo after todo. Tab from the row
 * reaches its own toggle.
 *
 * A title typed in the quick add while another action was under way would go with the old list
 * (an Enter meanwhile sends nothing: one action at a time). It is put back in the new one.
 *
 * For as long as the new list ignores the pointer (.todo-app-swapped in app.css), its buttons
 * ignore the keyboard too: htmx gives the focus back to the button that was pressed, and a
 * second press of Enter or Space (a double press, a held key) would act on the new list, where
 * "Mark all as done" has become "Mark all as not done" and would reopen everything. The quick
 * add takes a new title at once.
 */
(function () {
  "use strict";

  // Whether the list still ignores the pointer: its .todo-app-swapped animation is running
  // (htmx settles the swapped list, and so starts it, before any other event is handled).
  function ignoresThePointer(section) {
    return section
      .getAnimations()
      .some((animation) => animation.animationName === "ignore-the-pointer");
  }

  document.addEventListener("htmx:confirm", function (event) {
    const sender = event.detail.elt;
    const section = sender.closest("#todo-app");
    if (section && !sender.closest(".quick-add") && ignoresThePointer(section)) {
      event.preventDefault();
    }
  });

  // The place of the row whose form sent the request, -1 outside a row; null: not the list's.
  let sentFromRow = null;

  function rows() {
    return document.querySelectorAll("#todo-list > li");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const sender = event.detail.elt;
    if (!sender.closest("#todo-app")) {
      return;
    }
    const row = sender.closest("#todo-list > li");
    sentFromRow = row ? Array.prototype.indexOf.call(rows(), row) : -1;
  });

  // What the quick add held when another action's answer came, to put back after the swap.
  let typed = "";

  document.addEventListener("htmx:beforeSwap", function (event) {
    const input = document.getElementById("new-todo-title");
    const fromQuickAdd = event.detail.requestConfig.elt.closest(".quick-add");
    typed = input && !fromQuickAdd ? input.value : "";
  });

  document.addEventListener("htmx:afterSettle", function () {
    const input = document.getElementById("new-todo-title");
    if (typed && input && !input.value) {
      input.value = typed;
    }
    typed = "";
    const place = sentFromRow;
    sentFromRow = null;
    const focused = document.activeElement;
    if (place === null || (focused && focused !== document.body)) {
      return;
    }
    const listed = rows();
    const target =
      (place >= 0 && listed[Math.min(place, listed.length - 1)]) ||
      document.getElementById("todo-count");
    if (target) {
      target.setAttribute("tabindex", "-1");
      // The row is where the one acted on was, in view: scrolling would move what is under the
      // pointer (the second click of a double click, test_in_place.py).
      target.focus({ preventScroll: true });
    }
  });
})();
