// The section editor's enhancements (the page works without them: a plain form with Save).
//
// - A Markdown toolbar: bold, italic, heading, lists, link, a trend chart and "Restricted", which wraps the
//   selection in the restricted markers given on its button.
// - Drafts kept in this browser (localStorage), per section and revision, as the user types: a
//   lost connection or a closed tab loses nothing, and the page offers to restore them.
// - Autosave: every few seconds of unsaved changes the form is posted (htmx) over the revision
//   it holds. A conflict (409) stops autosaving and shows both texts; nothing is overwritten.

const DRAFT_PREFIX = "nim-section-draft";
const SUBMITTED_PREFIX = "nim-section-submitted";

const form = document.querySelector("[data-nim-section-editor]");

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function draftKey(section, revision) {
  return `${DRAFT_PREFIX}:${section}:${revision}`;
}

function draftsOf(store, section) {
  const prefix = `${DRAFT_PREFIX}:${section}:`;
  const drafts = [];
  for (let index = 0; index < store.length; index += 1) {
    const key = store.key(index);
    if (key && key.startsWith(prefix)) {
      try {
        const draft = JSON.parse(store.getItem(key));
        drafts.push({ key, revision: key.slice(prefix.length), ...draft });
      } catch {
        store.removeItem(key);
      }
    }
  }
  return drafts.sort((a, b) => (b.writtenAt || 0) - (a.writtenAt || 0));
}

// After a Save the page comes back with the saved text at a newer revision: every draft written
// over the revision that Save went on top of (or an older one) was merged into it by the user.
function dropDraftsSettledBySave(store, section, savedText, currentRevision) {
  let submitted = null;
  try {
    const key = `${SUBMITTED_PREFIX}:${section}`;
    submitted = JSON.parse(window.sessionStorage.getItem(key));
    window.sessionStorage.removeItem(key);
  } catch {
    return;
  }
  if (!submitted || submitted.text !== savedText) return;
  if (Number(currentRevision) <= Number(submitted.revision)) return;
  for (const draft of draftsOf(store, section)) {
    if (Number(draft.revision) <= Number(submitted.revision)) store.removeItem(draft.key);
  }
}

// Toolbar: each button changes the selected text (or inserts at the cursor).
const FORMATS = {
  bold: (text) => ({ before: "**", text: text || "bold text", after: "**" }),
  italic: (text) => ({ before: "*", text: text || "italic text", after: "*" }),
  heading: (text) => ({ before: "\n## ", text: text || "Heading", after: "\n" }),
  bullets: (text) => ({
    before: "\n",
    text: (text || "item").split("\n").map((line) => `- ${line}`).join("\n"),
    after: "\n",
  }),
  numbers: (text) => ({
    before: "\n",
    text: (text || "item").split("\n").map((line, i) => `${i + 1}. ${line}`).join("\n"),
    after: "\n",
  }),
  link: (text) => ({ before: "[", text: text || "link text", after: "](https://)" }),
  // A trend block (products.trends): the title selected, then the figures to fill in.
  trend: (text) => ({
    before: "\n```trend\n",
    text: text || "Title of the chart",
    after: "\nPeriod | First line | Second line\n2026-01 | 0 | 0\n2026-02 | 0 | 0\n```\n",
  }),
};

function applyFormat(textarea, button) {
  const start = textarea.selectionStart;
  const end = textarea.selectionEnd;
  const selected = textarea.value.slice(start, end);
  const format = button.dataset.nimFormat;
  const change =
    format === "restricted"
      ? { before: button.dataset.open, text: selected || "restricted text", after: button.dataset.close }
      : FORMATS[format](selected);
  const inserted = change.before + change.text + change.after;
  textarea.setRangeText(inserted, start, end, "end");
  textarea.setSelectionRange(start + change.before.length, start + change.before.length + change.text.length);
  textarea.focus();
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.dispatchEvent(new Event("change", { bubbles: true }));
}

function startEditor(form) {
  const section = form.dataset.section;
  const textarea = form.querySelector("[data-nim-section-body]");
  const revisionInput = () => form.querySelector("input[name=revision]");
  const autosave = document.getElementById("section-autosave");
  const status = () => document.getElementById("section-autosave-status");
  const intervalSeconds = Number(form.dataset.autosaveSeconds) || 20;
  const store = storage();
  let dirty = false;
  let stopped = false;
  let inFlight = false;
  let sentText = null;
  let sentRevision = null;

  function keepDraft() {
    if (!store) return;
    try {
      store.setItem(
        draftKey(section, revisionInput().value),
        JSON.stringify({ text: textarea.value, writtenAt: Date.now() }),
      );
    } catch {
      // Storage full or refused: autosave still runs.
    }
  }

  // Toolbar.
  const toolbar = document.querySelector("[data-nim-toolbar]");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-nim-format]");
      if (button) applyFormat(textarea, button);
    });
  }

  // Drafts left in this browser: drop those the server already holds, offer the newest other.
  const restore = document.querySelector("[data-nim-draft-restore]");
  if (store && restore) {
    dropDraftsSettledBySave(store, section, textarea.value, revisionInput().value);
    const drafts = draftsOf(store, section);
    for (const draft of drafts.filter((d) => d.text === textarea.value)) store.removeItem(draft.key);
    const offered = drafts.find((d) => d.text !== textarea.value);
    if (offered) {
      const when = new Date(offered.writtenAt || Date.now()).toLocaleString("en-GB");
      const older = offered.revision !== revisionInput().value;
      restore.querySelector("[data-nim-draft-restore-text]").textContent =
        `This browser kept text you had not saved (written ${when}` +
        (older ? `, over revision ${offered.revision}: saving it will show both texts if the section changed since` : "") +
        ").";
      restore.hidden = false;
      restore.querySelector("[data-nim-draft-restore-button]").addEventListener("click", () => {
        textarea.value = offered.text;
        // Keep the revision the draft was written over, so that the server spots a conflict.
        revisionInput().value = offered.revision;
        dirty = true;
        restore.hidden = true;
        textarea.dispatchEvent(new Event("change", { bubbles: true }));
        textarea.focus();
      });
      restore.querySelector("[data-nim-draft-discard-button]").addEventListener("click", () => {
        for (const draft of draftsOf(store, section)) store.removeItem(draft.key);
        restore.hidden = true;
      });
    }
  }

  // Remember what Save sent: once the next page shows it saved, the drafts it settled go.
  form.addEventListener("submit", () => {
    try {
      window.sessionStorage.setItem(
        `${SUBMITTED_PREFIX}:${section}`,
        JSON.stringify({ revision: revisionInput().value, text: textarea.value }),
      );
    } catch {
      // Without session storage the drafts are simply offered again.
    }
  });

  textarea.addEventListener("input", () => {
    dirty = true;
    keepDraft();
  });
  for (const field of form.querySelectorAll("select, input[type=checkbox], input[name=title]")) {
    field.addEventListener("change", () => {
      dirty = true;
    });
  }

  // Autosave every few seconds while there are unsaved changes.
  if (autosave) {
    window.setInterval(() => {
      if (!dirty || stopped || inFlight) return;
      inFlight = true;
      sentText = textarea.value;
      sentRevision = revisionInput().value;
      autosave.dispatchEvent(new CustomEvent("nim:autosave"));
    }, intervalSeconds * 1000);

    // htmx fires beforeSwap on the target (the status line, or the conflict panel): listen above.
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      if (event.detail.requestConfig?.elt !== autosave) return;
      const code = event.detail.xhr.status;
      if (code === 400 || code === 409) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
      if (code === 409) stopped = true;
    });
    // Sent (HX-Trigger) with a saved draft and with a conflict: the revision to save over next.
    autosave.addEventListener("nimSectionRevision", (event) => {
      revisionInput().value = event.detail.revision;
    });
    autosave.addEventListener("htmx:afterRequest", (event) => {
      inFlight = false;
      const code = event.detail.xhr.status;
      if (code === 200) {
        if (store) store.removeItem(draftKey(section, sentRevision));
        dirty = textarea.value !== sentText;
        if (dirty) keepDraft();
      } else if (code === 0 || code >= 500) {
        const line = status();
        if (line) line.textContent = "Not saved: the portal could not be reached. Your text is kept in this browser.";
      }
    });
  }
}

// A conflict panel (in the page or swapped in by autosave): copy their text into the editor.
function showCopyButtons(scope) {
  for (const button of scope.querySelectorAll("[data-nim-copy-theirs]")) button.hidden = false;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-nim-copy-theirs]");
  if (!button) return;
  const theirs = document.querySelector("[data-nim-conflict-theirs]");
  const textarea = document.querySelector("[data-nim-section-body]");
  if (theirs && textarea) {
    textarea.value = theirs.value;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.dispatchEvent(new Event("change", { bubbles: true }));
    textarea.focus();
  }
});
document.body.addEventListener("htmx:afterSwap", (event) => showCopyButtons(event.detail.target));

if (form) {
  startEditor(form);
  showCopyButtons(document);
}
