// The meeting screen's enhancements (the page works without them: plain forms and buttons).
//
// - Keyboard shortcuts for the chair: N or the right arrow moves to the next agenda item, P or
//   the left arrow to the previous one. Never while typing in a field, never with a modifier
//   key, and a checkbox turns them off (WCAG 2.1.4), remembered in this browser. D, A, C, E and
//   T open the recording panel's tab (decision, action, commission, escalation, attendance).
// - htmx answers: a form refused (400) or stale (409) comes back in place with its errors; a
//   refresh of the live region that is redirected or refused (signed out, no longer a reader)
//   reloads the whole page, so that the normal pages say why.
// - After the chair moves to another item, forms whose agenda item nobody has touched follow it.
// - A change of the current item is announced to screen readers.
// - The recording panel beside the item fits the window, so that nothing in it scrolls the page.

const SHORTCUTS_KEY = "nim-meeting-screen-shortcuts";
const screen = document.querySelector("[data-nim-meeting-screen]");

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function shortcutsOn() {
  const toggle = document.getElementById("nim-screen-shortcuts");
  return Boolean(toggle && toggle.checked);
}

function isTyping(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

function setUpShortcuts() {
  const panel = screen.querySelector("[data-nim-screen-shortcuts]");
  const toggle = document.getElementById("nim-screen-shortcuts");
  if (!panel || !toggle) return;
  panel.hidden = false;
  const store = storage();
  toggle.checked = !store || store.getItem(SHORTCUTS_KEY) !== "off";
  toggle.addEventListener("change", () => {
    if (store) store.setItem(SHORTCUTS_KEY, toggle.checked ? "on" : "off");
  });
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!shortcutsOn() || isTyping(event.target)) return;
    let selector = null;
    if (event.key === "n" || event.key === "N" || event.key === "ArrowRight") {
      selector = "[data-nim-screen-next]";
    } else if (event.key === "p" || event.key === "P" || event.key === "ArrowLeft") {
      selector = "[data-nim-screen-previous]";
    }
    const button = selector && screen.querySelector(selector);
    if (button) {
      event.preventDefault();
      button.click();
      return;
    }
    openRecordingTab(event);
  });
}

// D, A, C, E or T: the recording panel's tab of that name, its first field focused.
function openRecordingTab(event) {
  const key = event.key.length === 1 ? event.key.toLowerCase() : "";
  const tab = key && screen.querySelector(`[data-nim-screen-key="${key}"]`);
  if (!tab) return;
  event.preventDefault();
  if (tab.tagName === "SUMMARY") {
    tab.parentElement.open = true;
    tab.focus();
    return;
  }
  tab.click();
  const panel = screen.querySelector(tab.getAttribute("href"));
  const field = panel && panel.querySelector("input:not([type=hidden]), select, textarea");
  if (field) field.focus();
}

function inScreen(element) {
  return element instanceof Element && screen.contains(element);
}

function redirected(detail) {
  const responseURL = detail.xhr && detail.xhr.responseURL;
  if (!responseURL || !detail.pathInfo) return false;
  const asked = new URL(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath, window.location.href);
  return new URL(responseURL).pathname !== asked.pathname;
}

function setUpResponses() {
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (!inScreen(detail.target) && !inScreen(detail.elt)) return;
    const status = detail.xhr.status;
    if (redirected(detail) || status === 401 || status === 403 || status === 404) {
      detail.shouldSwap = false;
      window.location.reload();
      return;
    }
    if (status === 400 || status === 409) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
}

function setUpItemFollowing() {
  screen.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.name.endsWith("agenda_item")) {
      event.target.dataset.nimTouched = "true";
    }
  });
  document.body.addEventListener("nim-screen-item-moved", (event) => {
    const item = event.detail && event.detail.item;
    if (!item) return;
    for (const select of screen.querySelectorAll("[data-nim-screen-controls] select[name$='agenda_item']")) {
      if (!select.dataset.nimTouched) select.value = String(item);
    }
  });
}

function setUpAnnouncer() {
  const announcer = screen.querySelector("[data-nim-screen-announcer]");
  if (!announcer) return;
  let now = (screen.querySelector("#nim-screen-live") || {}).dataset?.nimScreenNow || "";
  document.body.addEventListener("htmx:afterSettle", () => {
    const live = screen.querySelector("#nim-screen-live");
    const current = live ? live.dataset.nimScreenNow || "" : "";
    if (current && current !== now) announcer.textContent = current;
    now = current;
  });
}

// The disclosures of the live region (the attendance list, the strategy at hand) stay as the
// reader left them across the region's refreshes.
function setUpDisclosures() {
  const open = new Map();
  screen.addEventListener(
    "toggle",
    (event) => {
      if (event.target.matches("[data-nim-screen-keep-open]")) open.set(event.target.id, event.target.open);
    },
    true,
  );
  document.body.addEventListener("htmx:afterSettle", () => {
    for (const [id, isOpen] of open) {
      const details = document.getElementById(id);
      if (details) details.open = isOpen;
    }
  });
}

// The recording panel, beside the item on a wide screen, is never taller than the room the window
// has below its top (the stylesheet takes off the bottom marking). Taller, its lower half would
// lie below the window while the page sits at its top, and a field there (the decision's text, the
// action's button) would scroll the whole page to itself when focused or filled: the item gone
// from view. Its top moves as the page scrolls until the panel sticks, so the room follows.
function setUpPanelRoom() {
  let asked = false;
  const measure = () => {
    asked = false;
    const panel = screen.querySelector("#nim-screen-controls");
    if (!panel) return;
    const top = Math.max(panel.getBoundingClientRect().top, 0);
    screen.style.setProperty("--nim-screen-panel-room", `${Math.round(window.innerHeight - top)}px`);
  };
  const ask = () => {
    if (asked) return;
    asked = true;
    window.requestAnimationFrame(measure);
  };
  measure();
  window.addEventListener("scroll", ask, { passive: true });
  window.addEventListener("resize", ask);
  document.body.addEventListener("htmx:afterSettle", ask);
}

if (screen) {
  setUpShortcuts();
  setUpPanelRoom();
  setUpDisclosures();
  setUpResponses();
  setUpItemFollowing();
  setUpAnnouncer();
}
