// Starts GOV.UK Frontend's components (header menu, error summary focus, notification banners...).
import { initAll } from "./govuk-frontend.min.js";
import "./busy-buttons.mjs";

initAll();

// htmx swaps in new content: start the GOV.UK components inside it too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.detail.elt });
});
