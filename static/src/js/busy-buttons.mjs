// Feedback within a moment on a slow button. A form marked data-busy, once sent, says "Working…"
// on the button pressed, marks itself busy (aria-busy) and announces it in a polite live region,
// and refuses to be sent again while its page is waiting: no duplicate submissions. Its buttons
// are disabled only after the browser has read the form, so that the pressed button's own name
// and value still go with it. Coming back to the page from the browser's cache (the back button)
// makes them usable again. A form sent by htmx is busy from its request to its answer.

const WORKING = "Working…";
const labels = new WeakMap();
let announcer;

function announce(text) {
  if (!announcer) {
    announcer = document.createElement("div");
    announcer.className = "govuk-visually-hidden";
    announcer.setAttribute("role", "status");
    announcer.setAttribute("aria-live", "polite");
    document.body.append(announcer);
  }
  announcer.textContent = text;
}

function buttonsOf(form) {
  return [...form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")];
}

function markBusy(form, pressed) {
  form.setAttribute("aria-busy", "true");
  if (pressed instanceof HTMLInputElement) {
    labels.set(pressed, pressed.value);
    pressed.value = WORKING;
  } else if (pressed) {
    labels.set(pressed, pressed.innerHTML);
    pressed.textContent = WORKING;
  }
  announce(WORKING);
  // After the browser has built what it sends: a disabled button would send nothing.
  setTimeout(() => {
    for (const button of buttonsOf(form)) {
      button.disabled = true;
    }
  });
}

function restore(form) {
  form.removeAttribute("aria-busy");
  for (const button of buttonsOf(form)) {
    button.disabled = false;
    if (labels.has(button)) {
      button[button instanceof HTMLInputElement ? "value" : "innerHTML"] = labels.get(button);
      labels.delete(button);
    }
  }
}

function busyForm(target) {
  return target instanceof HTMLFormElement && target.hasAttribute("data-busy") ? target : null;
}

document.addEventListener("submit", (event) => {
  const form = busyForm(event.target);
  if (!form || event.defaultPrevented) {
    return;
  }
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault();
    return;
  }
  markBusy(form, event.submitter);
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = busyForm(event.detail.elt);
  if (form) {
    markBusy(form, event.detail.requestConfig?.triggeringEvent?.submitter);
  }
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = busyForm(event.detail.elt);
  if (form) {
    restore(form);
  }
});

window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    for (const form of document.querySelectorAll("form[data-busy][aria-busy=true]")) {
      restore(form);
    }
  }
});
